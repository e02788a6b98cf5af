using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine;

/// <summary>How a pod runs its model. Bound from the <c>Quicksilver:Engine</c> configuration section.</summary>
public sealed record EngineOptions
{
    /// <summary><c>auto</c> (CUDA when a device is present, else CPU), <c>cuda</c> (required: fail if absent) or <c>cpu</c>.</summary>
    public string Backend { get; init; } = "auto";

    /// <summary>CUDA device ordinal used by the <c>cuda</c>/<c>auto</c> backend.</summary>
    public int CudaDevice { get; init; }

    /// <summary>
    /// Where NVRTC output is cached (keyed by kernel source, architecture and NVRTC version); null means
    /// <c>$QS_KERNEL_CACHE</c>, else <c>~/.cache/quicksilver/kernels</c>. Put it on a writable volume in containers.
    /// </summary>
    public string? KernelCacheDirectory { get; init; }

    /// <summary>CPU backend worker threads; null means one per logical processor.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Copy BF16/F16 weights to fp32 once at load on the CPU backend (2× memory); each product then packs its panels
    /// anew, where BF16 weights in place keep theirs.
    /// </summary>
    public bool WidenWeightsToFp32 { get; init; }

    /// <summary>Semi-autoregressive block length used when a request names none (LLaDA's demo uses 32).</summary>
    public int DefaultBlockLength { get; init; } = 32;

    /// <summary>
    /// Fast-dLLM threshold commit rule, in (0, 1], for requests that name no commit rule, no <c>steps</c> and no
    /// <c>remasking</c> but <c>low_confidence</c>, when the
    /// model's <c>generation_config.json</c> sets none; null (the default) is the step schedule. Exclusive with
    /// <see cref="DefaultFactor"/>.
    /// </summary>
    public double? DefaultThreshold { get; init; }

    /// <summary>Fast-dLLM factor commit rule (above 0), as <see cref="DefaultThreshold"/>; exclusive with it.</summary>
    public double? DefaultFactor { get; init; }

    /// <summary>
    /// Block K/V caching for requests that name none (<c>kv_cache</c>): <c>none</c> (exact; the default),
    /// <c>prefix</c> or <c>dual</c> (Fast-dLLM's caches: fewer rows per step, approximate within a block).
    /// </summary>
    public KvCacheMode KvCache { get; init; } = KvCacheMode.None;

    /// <summary>
    /// Which rows a block's refresh recomputes for requests that name none (<c>kv_cache_refresh</c>): <c>canvas</c>
    /// (Fast-dLLM; the default), <c>answer</c> (the prompt keeps the first refresh's keys and values) or
    /// <c>frontier</c> (the prompt and finished blocks keep theirs). See <see cref="Decoding.KvCacheRefresh"/>.
    /// </summary>
    public KvCacheRefresh KvCacheRefresh { get; init; } = KvCacheRefresh.Canvas;

    /// <summary>
    /// Most bytes the running sequences' K/V caches may hold together; a request whose cache does not fit waits in
    /// the queue, and one that could never fit is refused. Null means no limit beyond
    /// <see cref="MaxActiveSequences"/>. A cache takes layers × 2 × kv_heads × canvas × head_dim activations (fp32 on
    /// the CPU backend, bf16 on CUDA).
    /// </summary>
    public long? MaxKvCacheBytes { get; init; }

    /// <summary>The model id clients use; null means the model folder's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Denoising steps of a small throw-away batch run at load, before the pod reports ready
    /// (<c>Scheduling/ModelWarmUp</c>): the first requests after a start then run on optimised code and a grown
    /// workspace. 0 turns it off; at most 32.
    /// </summary>
    public int WarmUpSteps { get; init; } = 8;

    /// <summary>Most sequences in one step's batch. Further requests wait in the queue.</summary>
    public int MaxActiveSequences { get; init; } = 32;

    /// <summary>
    /// Most canvas tokens (prompt + answer, summed over the batch) one step may process. A sequence larger than this
    /// alone still runs, by itself.
    /// </summary>
    public int MaxTokensPerStep { get; init; } = 16384;

    /// <summary>Most requests waiting for a place in the batch; past it new requests are refused (HTTP 429).</summary>
    public int MaxQueuedRequests { get; init; } = 256;

    /// <summary>
    /// How long a request may wait for a place before it fails (HTTP 503): the backstop behind
    /// <see cref="MaxExpectedQueueWait"/>, for requests whose wait was underestimated.
    /// </summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one step may run while requests wait or run before the engine counts as failed
    /// (<see cref="Scheduling.IGenerationEngine.Failure"/>, so <c>/health/live</c> answers 503 and Kubernetes restarts the
    /// pod): a hung kernel or device call. Generous, since one step of a large batch on the CPU backend can take seconds.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Admission control: a new request whose expected wait for a place in the batch exceeds this is refused at once
    /// (HTTP 429, <c>Retry-After</c> the time the queue needs to drain below it, at most a minute) instead of queueing
    /// until <see cref="QueueTimeout"/>. The wait is estimated from the requests ahead and moving averages of the step
    /// time of a full batch and of the steps a sequence spends in the batch, bounded by the most steps the running and
    /// waiting sequences can take and the fewest before a running one can leave (<c>Scheduling/QueueWaitEstimator</c>);
    /// until
    /// the engine has measured a step of a full batch, it queues at most one batch (and at least 16 requests) beyond
    /// its free places instead.
    /// Null means half of <see cref="QueueTimeout"/>.
    /// </summary>
    public TimeSpan? MaxExpectedQueueWait { get; init; }
}
