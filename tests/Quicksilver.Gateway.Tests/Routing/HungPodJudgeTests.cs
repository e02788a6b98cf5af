using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.Routing;

/// <summary>
/// Which pods are held for hung, on a clock that moves only when told to: polls every 0.5 s, timing out after 2 s, so
/// a pod that answers goes unheard at most 4.5 s; hung after 15 s of silence.
/// </summary>
public sealed class HungPodJudgeTests
{
    private static readonly RoutingOptions Routing = new();
    private readonly ManualTime _time = new();
    private readonly PodLoadRegistry _registry;
    private readonly HungPodJudge _judge;

    public HungPodJudgeTests()
    {
        _registry = new PodLoadRegistry(_time);
        _judge = new HungPodJudge(_registry, Microsoft.Extensions.Options.Options.Create(Routing));
    }

    [Fact]
    public void SilentForTheTimeout_WhileAnotherAnswers_IsHung_ButNotAMomentBefore()
    {
        RoutedPod[] pods = Model("m", "http://a:8000", "http://b:8000");
        Route(pods);

        Silence(Routing.UnresponsivePodTimeout - TimeSpan.FromTicks(1), answering: pods[1]);
        Assert.Empty(_judge.Judge(pods)!);
        Silence(TimeSpan.FromTicks(1), answering: pods[1]);

        Assert.Equal([pods[0]], _judge.Judge(pods));
    }

    [Fact]
    public void NoPodAnsweredWithinTheLongestPollGap_IsTheGatewaysTrouble()
    {
        RoutedPod[] pods = Model("m", "http://a:8000", "http://b:8000");
        Route(pods);
        _registry.Heard(pods[1].Address);

        _time.Advance(Routing.UnresponsivePodTimeout - TimeSpan.FromTicks(1));
        Assert.Empty(_judge.Judge(pods)!); // no pod answered for 4.5 s, but none is silent long enough to be judged
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(_judge.Judge(pods)); // b answered 15 s ago: longer than 4.5 s

        _registry.Heard(pods[1].Address);
        _time.Advance(Routing.LongestPollGap);
        Assert.Equal([pods[0]], _judge.Judge(pods)); // b answered 4.5 s ago: the gateway reaches pods
    }

    [Fact]
    public void APodOnlyRoutedTo_HasNotAnswered_AndDoesNotClearTheGateway()
    {
        RoutedPod[] old = Model("m", "http://a:8000");
        Route(old);
        _time.Advance(Routing.UnresponsivePodTimeout);

        RoutedPod[] now = [.. old, .. Model("n", "http://new:8000")];
        Route(now); // a headless Service resolved again, say

        Assert.Null(_judge.Judge(now));
    }

    [Fact]
    public void AtMostHalfOfAModelsPods_AreHeldForHung_TheLongestSilentFirst_AndOneAlways()
    {
        RoutedPod[] four = Model("m", "http://a:8000", "http://b:8000", "http://c:8000", "http://d:8000");
        RoutedPod[] lone = Model("n", "http://lone:8000");
        RoutedPod[] answering = Model("o", "http://answering:8000");
        RoutedPod[] all = [.. four, .. lone, .. answering];
        Route(all);
        _time.Advance(TimeSpan.FromSeconds(1));
        _registry.Heard(four[0].Address); // a fell silent a second after c and d

        Silence(Routing.UnresponsivePodTimeout + TimeSpan.FromSeconds(1), answering: answering[0]);
        _registry.Heard(four[1].Address); // b answers
        IReadOnlyList<RoutedPod> hung = _judge.Judge(all)!;

        Assert.Equal([four[2], four[3], lone[0]], hung); // c and d (b answered); the lone pod of n, one at least
        foreach (RoutedPod pod in hung)
        {
            _registry.MarkHung(pod.Address);
        }

        _time.Advance(Routing.UnresponsivePodTimeout);
        _registry.Heard(answering[0].Address);
        Assert.Equal([four[2], four[3], lone[0]], _judge.Judge(all)); // a and b are silent too now, but half of m is held
    }

    private static RoutedPod[] Model(string model, params string[] addresses)
    {
        var cluster = new ClusterState(model);
        return [.. addresses.Select(address => new RoutedPod(cluster, new DestinationState(address, new DestinationModel(new DestinationConfig { Address = address }))))];
    }

    private void Route(RoutedPod[] pods) => _registry.Retain(pods.Select(pod => pod.Address));

    /// <summary>Lets <paramref name="span"/> pass, with <paramref name="answering"/> answering every poll meanwhile.</summary>
    private void Silence(TimeSpan span, RoutedPod answering)
    {
        for (TimeSpan passed = TimeSpan.Zero; passed < span;)
        {
            TimeSpan step = span - passed < Routing.LoadPollInterval ? span - passed : Routing.LoadPollInterval;
            _time.Advance(step);
            passed += step;
            _registry.Heard(answering.Address);
        }
    }
}
