using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Apis;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.Apis;

/// <summary>How often the gateway asks its pods for their OpenAPI document, and what it serves meanwhile.</summary>
public sealed class OpenApiDocumentSourceTests : IDisposable
{
    private readonly ManualTime _time = new();
    private readonly CountingPod _pod = new();
    private readonly OpenApiDocumentSource _source;

    public OpenApiDocumentSourceTests() => _source = new OpenApiDocumentSource(new OnePodProxyState("http://pod-a:8000/"), new SingleClientFactory(_pod), _time);

    [Fact]
    public async Task AnsweredDocument_IsKeptFiveMinutes_ThenAskedForAgain()
    {
        JsonObject? first = await _source.DocumentAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await _source.DocumentAsync(CancellationToken.None);
        Assert.Equal(1, _pod.Asked);

        _time.Advance(TimeSpan.FromSeconds(1));
        await _source.DocumentAsync(CancellationToken.None);

        Assert.Equal("Quicksilver gateway", (string?)first!["info"]!["title"]);
        Assert.Equal(2, _pod.Asked);
    }

    [Fact]
    public async Task NoPodAnswersAStaleDocumentsRefresh_StaleDocumentIsServed_AndThePodsAreAskedAgainOnlyAfter30Seconds()
    {
        await _source.DocumentAsync(CancellationToken.None);
        _pod.Answers = false;
        _time.Advance(TimeSpan.FromMinutes(5));

        JsonObject? stale = await _source.DocumentAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        for (int i = 0; i < 5; i++)
        {
            Assert.NotNull(await _source.DocumentAsync(CancellationToken.None));
        }

        Assert.Equal(2, _pod.Asked);
        Assert.Equal("Quicksilver gateway", (string?)stale!["info"]!["title"]);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await _source.DocumentAsync(CancellationToken.None));
        Assert.Equal(3, _pod.Asked);
    }

    [Fact]
    public async Task NoPodHasEverAnswered_EveryCallAsks_AndGetsNothing()
    {
        _pod.Answers = false;

        Assert.Null(await _source.DocumentAsync(CancellationToken.None));
        Assert.Null(await _source.DocumentAsync(CancellationToken.None));
        _pod.Answers = true;

        Assert.NotNull(await _source.DocumentAsync(CancellationToken.None));
        Assert.Equal(3, _pod.Asked);
    }

    public void Dispose()
    {
        _source.Dispose();
        _pod.Dispose();
    }

    /// <summary>A pod's <c>/openapi/v1.json</c>, or a 503 while <see cref="Answers"/> is false; counts the requests.</summary>
    private sealed class CountingPod : HttpMessageHandler
    {
        private int _asked;

        public bool Answers { get; set; } = true;

        public int Asked => Volatile.Read(ref _asked);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asked);
            Assert.Equal("http://pod-a:8000/openapi/v1.json", request.RequestUri!.ToString());
            return Task.FromResult(Answers
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"openapi":"3.1.1","info":{"title":"Quicksilver"},"paths":{}}""", Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class OnePodProxyState : IProxyStateLookup
    {
        private readonly ClusterState _cluster = new("model:quicksilver-tiny");

        public OnePodProxyState(string address)
        {
            DestinationState[] pods = [new(address, new DestinationModel(new DestinationConfig { Address = address }))];
            _cluster.DestinationsState = new ClusterDestinationsState(pods, pods);
        }

        public IEnumerable<ClusterState> GetClusters() => [_cluster];

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClusterState? cluster)
        {
            cluster = id == _cluster.ClusterId ? _cluster : null;
            return cluster is not null;
        }

        public bool TryGetRoute(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }
    }
}
