# syntax=docker/dockerfile:1
# Quicksilver images. Targets:
#   pod      – the model server on a CUDA runtime base (libcublas + NVRTC come from the base image); CPU fallback when
#              no GPU is visible. Runs as UID 10001; the NVRTC kernel cache is a volume.
#   pod-cpu  – the model server on the plain runtime-deps base, for CPU-only nodes and local runs. Runs as UID 1654.
#   gateway  – the API gateway (YARP) on the ASP.NET Core runtime base. Runs as UID 1654; listens on 8080.
# Build (from the repository root):
#   docker build --target pod     -t quicksilver/pod:0.1.0 .
#   docker build --target pod-cpu -t quicksilver/pod-cpu:0.1.0 .
#   docker build --target gateway -t quicksilver/gateway:0.1.0 .
# Every image runs as a numeric non-root user, so Kubernetes' runAsNonRoot can verify it, and writes nothing outside
# its volumes, so it runs with a read-only root filesystem (the Helm chart in charts/quicksilver does both).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build-server
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# The engine embeds kernels/*.cu and *.cuh as resources at build time, so they must be here before the publish.
COPY kernels/ kernels/
COPY services/ services/
RUN dotnet publish services/Quicksilver.Server -c Release -r linux-x64 --self-contained -o /out/server

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build-gateway
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY gateway/ gateway/
COPY services/Quicksilver.Server/Http/RequestIdMiddleware.cs services/Quicksilver.Server/Http/RequestBodyDrain.cs services/Quicksilver.Server/Http/
RUN dotnet publish gateway/Quicksilver.Gateway -c Release -r linux-x64 --self-contained false -o /out/gateway

FROM nvidia/cuda:13.0.1-runtime-ubuntu24.04 AS pod
RUN apt-get update && apt-get install -y --no-install-recommends libicu74 ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home --shell /usr/sbin/nologin quicksilver \
 && mkdir -p /var/cache/quicksilver/kernels && chown 10001:10001 /var/cache/quicksilver/kernels
WORKDIR /app
COPY --from=build-server /out/server ./
COPY models/quicksilver-tiny/ ./models/quicksilver-tiny/
ENV ASPNETCORE_URLS=http://+:8000 \
    Quicksilver__ModelPath=/app/models/quicksilver-tiny \
    Quicksilver__Engine__KernelCacheDirectory=/var/cache/quicksilver/kernels
VOLUME /var/cache/quicksilver/kernels
USER 10001
EXPOSE 8000
ENTRYPOINT ["./Quicksilver.Server"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS pod-cpu
WORKDIR /app
COPY --from=build-server /out/server ./
COPY models/quicksilver-tiny/ ./models/quicksilver-tiny/
ENV ASPNETCORE_URLS=http://+:8000 \
    Quicksilver__ModelPath=/app/models/quicksilver-tiny \
    Quicksilver__Engine__Backend=cpu
# APP_UID (1654, the "app" user) is defined by the .NET base images; a numeric USER lets runAsNonRoot verify it.
USER $APP_UID
EXPOSE 8000
ENTRYPOINT ["./Quicksilver.Server"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS gateway
WORKDIR /app
COPY --from=build-gateway /out/gateway ./
ENV ASPNETCORE_URLS=http://+:8080
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "Quicksilver.Gateway.dll"]
