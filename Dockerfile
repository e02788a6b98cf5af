# syntax=docker/dockerfile:1
# Quicksilver images. Targets:
#   pod      – the model server on a CUDA runtime base (libcublas + NVRTC come from the base image); CPU fallback when no GPU.
#   pod-cpu  – the model server on the plain ASP.NET runtime, for CPU-only nodes and local runs.
# Build: docker build --target pod -t quicksilver/pod .   |   docker build --target pod-cpu -t quicksilver/pod-cpu .
# The gateway target arrives with gateway/Quicksilver.Gateway.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Platform.sln ./
COPY services/ services/
RUN dotnet publish services/Quicksilver.Server -c Release -r linux-x64 --self-contained -o /out/server

FROM nvidia/cuda:13.0.1-runtime-ubuntu24.04 AS pod
RUN apt-get update && apt-get install -y --no-install-recommends libicu74 ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home quicksilver
WORKDIR /app
COPY --from=build /out/server ./
COPY kernels/ ./kernels/
COPY models/quicksilver-tiny/ ./models/quicksilver-tiny/
ENV ASPNETCORE_URLS=http://0.0.0.0:8000 \
    Quicksilver__ModelPath=/app/models/quicksilver-tiny \
    Quicksilver__Engine__KernelCacheDirectory=/var/cache/quicksilver/kernels
VOLUME /var/cache/quicksilver/kernels
USER 10001
EXPOSE 8000
ENTRYPOINT ["./Quicksilver.Server"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS pod-cpu
WORKDIR /app
COPY --from=build /out/server ./
COPY models/quicksilver-tiny/ ./models/quicksilver-tiny/
ENV ASPNETCORE_URLS=http://0.0.0.0:8000 \
    Quicksilver__ModelPath=/app/models/quicksilver-tiny \
    Quicksilver__Engine__Backend=cpu
USER app
EXPOSE 8000
ENTRYPOINT ["./Quicksilver.Server"]
