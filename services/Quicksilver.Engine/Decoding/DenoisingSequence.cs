using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Decoding;

/// <summary>
/// The state of one answer being denoised with LLaDA's <c>generate()</c> semantics: the canvas
/// <c>[prompt | masks]</c> (or <c>[prompt | masks | suffix]</c> to fill in the middle), blocks decoded strictly left to right, in each block a fixed number of steps that each
/// commit the <see cref="DiffusionPlan.BlockSchedule"/>'s count of the most confident masked positions (or, with
/// Fast-dLLM's threshold and factor rules, as many as are confident enough, until the block has no mask left; with
/// Dream's <c>origin</c>, each masked position independently with the timestep schedule's probability, all that remain
/// on the block's last step); committed tokens are never re-masked; an opener block
/// (<see cref="DiffusionPlan.IsOpener"/>) is scored greedily whatever the temperature. A finished block that holds an
/// end-of-sequence token ends the answer there. With a <see cref="KvCacheMode"/> the first step of each block
/// computes the whole canvas (after the first block, from where the request's <see cref="KvCacheRefresh"/> starts it;
/// for block-causal attention, from the previous block's first attention block to the end of the window,
/// <see cref="CacheWindowRule.ReadEnd"/>) and refreshes the sequence's K/V cache; the block's later steps compute only the block and
/// its suffix (prefix mode) or only the block (dual mode) against it, widened as the model's
/// <see cref="CacheWindowRule"/> says: for shifted logits (Dream) by the row before the block, whose hidden state
/// scores the block's first position (a committed token, so recomputing it only refreshes its cached keys and values
/// with the block's commits since the refresh); for block-causal attention to whole attention blocks.
/// With a constraint (<see cref="ITokenConstraintState"/>: structured output) the answer is written left to right: each
/// step scores the block's masks as usual, bans at the leftmost mask every token the constraint refuses there, commits
/// the rule's count from the left (<see cref="CommitPolicy.LeftToRight"/>, at least one) up to the first token the
/// constraint refuses after the ones before it, and the answer ends (<see cref="FinishReason.Stop"/>) with the token
/// that completes it.
/// </summary>
public sealed class DenoisingSequence
{
    private readonly int[] _canvas;
    private readonly bool[] _masked;
    private readonly float[] _logProbabilities;
    private readonly TokenLogprob[] _alternatives;
    private readonly DiffusionPlan _plan;
    private readonly DecodingSettings _settings;
    private readonly IReadOnlySet<int> _endTokens;
    private readonly CacheWindowRule _windowRule;
    private readonly ITokenConstraintState? _constraint;
    private int[] _blockSchedule;
    private float[] _blockKeepProbabilities;
    private int _blockStart;
    private int _refreshStart;
    private int _block;
    private int _stepInBlock;
    private int _maskedInBlock;
    private int _completedAt = int.MaxValue;

    /// <summary>Lays out the canvas and the first block's schedule.</summary>
    /// <param name="prompt">The prompt's token ids.</param>
    /// <param name="plan">The answer's blocks and steps.</param>
    /// <param name="settings">The request's decoding controls.</param>
    /// <param name="maskTokenId">The model's mask id.</param>
    /// <param name="endTokens">Ids that end the answer.</param>
    /// <param name="windowRule">What the model's K/V cache windows must cover beyond the block (<see cref="CacheWindowRule.Of"/>); the default suits LLaDA.</param>
    /// <param name="suffix">Tokens fixed after the answer (fill in the middle; bidirectional attention); none by default.</param>
    /// <param name="constraint">The rule the answer's text follows, from its start; none by default.</param>
    public DenoisingSequence(
        IReadOnlyList<int> prompt,
        DiffusionPlan plan,
        DecodingSettings settings,
        int maskTokenId,
        IReadOnlySet<int> endTokens,
        CacheWindowRule windowRule = default,
        IReadOnlyList<int>? suffix = null,
        ITokenConstraintState? constraint = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        PromptLength = prompt.Count;
        suffix ??= [];
        _canvas = new int[PromptLength + plan.AnswerLength + suffix.Count];
        _masked = new bool[_canvas.Length];
        _logProbabilities = new float[_canvas.Length];
        for (int i = 0; i < PromptLength; i++)
        {
            _canvas[i] = prompt[i];
        }

        int answerEnd = PromptLength + plan.AnswerLength;
        for (int i = PromptLength; i < answerEnd; i++)
        {
            _canvas[i] = maskTokenId;
            _masked[i] = true;
        }

        for (int i = 0; i < suffix.Count; i++)
        {
            _canvas[answerEnd + i] = suffix[i];
        }

        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _alternatives = new TokenLogprob[(long)plan.AnswerLength * settings.TopLogprobs];
        _endTokens = endTokens;
        _windowRule = windowRule;
        _constraint = constraint;
        _blockStart = PromptLength;
        _blockSchedule = plan.BlockSchedule(0);
        _blockKeepProbabilities = plan.KeepProbabilities(0);
        _maskedInBlock = plan.BlockLengths[0];
    }

    /// <summary>Tokens of the prompt at the head of the canvas.</summary>
    public int PromptLength { get; }

    /// <summary>The canvas as it stands: prompt, committed tokens, mask ids, then the suffix (if any).</summary>
    public ReadOnlySpan<int> Canvas => _canvas;

    /// <summary>Forward passes the plan schedules (an early end takes fewer; a threshold or factor rule fewer or more).</summary>
    public int PlannedSteps => _plan.TotalSteps;

    /// <summary>
    /// The most forward passes the sequence can take: the plan's, or, with a threshold or factor rule, which commits at
    /// least one token a step whatever the schedule says and ends a block only once it holds no mask, one per answer
    /// token when that is more; so with a constraint, which may commit fewer tokens than scheduled.
    /// </summary>
    public int MaxSteps => _settings.Commit is CommitRule.Threshold or CommitRule.Factor || _constraint is not null
        ? Math.Max(_plan.TotalSteps, _plan.AnswerLength)
        : _plan.TotalSteps;

    /// <summary>The most forward passes the sequence can still take (<see cref="MaxSteps"/> less those taken).</summary>
    public int MostStepsLeft => Math.Max(0, MaxSteps - StepsTaken);

    /// <summary>
    /// The fewest forward passes the sequence can still take. A block ends once it holds no mask: under the schedule it
    /// takes exactly its planned steps, under a threshold or factor rule or <c>origin</c>'s draws at least one. An end
    /// token ends the answer only with the block that holds it, so a sequence with end tokens, or one whose caller may
    /// end it after any block (<paramref name="callerMayEndIt"/>: stop sequences), can leave once its current block is
    /// done; any other runs every block. A constrained one may end with any step.
    /// </summary>
    public int FewestStepsLeft(bool callerMayEndIt)
    {
        if (Finish is not null)
        {
            return 0;
        }

        if (_constraint is not null)
        {
            return 1;
        }

        bool mayEndEarly = callerMayEndIt || _endTokens.Count > 0;
        if (_settings.Commit != CommitRule.Schedule || _settings.Remasking == RemaskingStrategy.Origin)
        {
            return mayEndEarly ? 1 : _plan.BlockLengths.Count - _block;
        }

        return mayEndEarly ? _blockSchedule.Length - _stepInBlock : _plan.TotalSteps - StepsTaken;
    }

    /// <summary>Forward passes taken so far.</summary>
    public int StepsTaken { get; private set; }

    /// <summary>
    /// Answer tokens finalised so far (cut at the end token once the answer is done, which is not among them; the API's
    /// usage adds it, as vLLM counts it).
    /// </summary>
    public int CompletionTokens { get; private set; }

    /// <summary>Tokens the last commit unmasked.</summary>
    public int LastCommitted { get; private set; }

    /// <summary>Set once the answer is complete.</summary>
    public FinishReason? Finish { get; private set; }

    /// <summary>
    /// Whether the answer ended at an end token the model wrote (not counted in <see cref="CompletionTokens"/>; the API
    /// counts it, as vLLM does), rather than where its constraint was complete or at its budget.
    /// </summary>
    public bool EndedAtEndToken { get; private set; }

    /// <summary>The block K/V caching this sequence decodes with.</summary>
    public KvCacheMode KvCacheMode => _settings.KvCache;

    /// <summary>
    /// What the next step must compute, scoring the current block's masked positions: the whole canvas, or with a
    /// <see cref="KvCacheMode"/> the rows of <see cref="CacheWindow"/> in <paramref name="kvCache"/>.
    /// </summary>
    /// <param name="kvCache">The sequence's K/V cache, sized for its canvas: required with a cache mode, null without.</param>
    public ForwardSequence NextStep(IKvCache? kvCache = null)
    {
        if (Finish is not null)
        {
            throw new InvalidOperationException("The sequence is finished.");
        }

        if ((kvCache is null) != (_settings.KvCache == KvCacheMode.None))
        {
            throw new ArgumentException($"A sequence decoding with K/V cache mode {_settings.KvCache} needs {(kvCache is null ? "its cache" : "no cache")}.", nameof(kvCache));
        }

        int blockEnd = _blockStart + _plan.BlockLengths[_block];
        float temperature = _plan.IsOpener(_block) ? 0f : _settings.Temperature;
        var positions = new List<int>(blockEnd - _blockStart);
        var sampling = new List<RowSampling>(blockEnd - _blockStart);
        // Dream's sampler ranks positions by confidences under the distribution it draws from; LLaDA's under softmax(logits).
        bool confidenceFromDraw = _plan.Family == ModelArchitecture.Dream;
        for (int p = _blockStart; p < blockEnd; p++)
        {
            if (_masked[p])
            {
                positions.Add(p);
                sampling.Add(new RowSampling(temperature, _settings.Seed, Counter(p), _settings.TopP, _settings.TopK, confidenceFromDraw));
            }
        }

        IReadOnlyList<TokenBias> bias = StepLogitBias();
        return new ForwardSequence(_canvas, positions, sampling)
        {
            Cache = kvCache is null ? null : CacheWindow(kvCache, blockEnd),
            LogitBias = bias,
            FirstRowBias = _constraint is null ? null : WithBans(bias, _constraint.Banned()),
            TopLogprobs = _settings.TopLogprobs,
        };
    }

    /// <summary>
    /// How the step <see cref="NextStep"/> describes picks its commits: this sequence's remasking and commit rule, the
    /// block schedule's count for the step, the seed and step count <see cref="RemaskingStrategy.Random"/> and
    /// <see cref="RemaskingStrategy.Origin"/> draw from, and the step's keep probability <c>s/t</c> (<c>origin</c>).
    /// </summary>
    public CommitPolicy CommitPolicy => new(
        _settings.Remasking,
        _settings.Commit,
        _settings.CommitParameter,
        ScheduledCount,
        _settings.Seed,
        StepsTaken,
        _stepInBlock < _blockKeepProbabilities.Length ? _blockKeepProbabilities[_stepInBlock] : 0,
        _settings.AlgorithmTemperature,
        LeftToRight: _constraint is not null);

    /// <summary>
    /// The block schedule's count for this step. A constrained block that fell behind (its constraint cut commits)
    /// catches up: at least its masks over the planned steps left, all of them once none is left.
    /// </summary>
    private int ScheduledCount
    {
        get
        {
            int planned = _stepInBlock < _blockSchedule.Length ? _blockSchedule[_stepInBlock] : 0;
            if (_constraint is null)
            {
                return planned;
            }

            int stepsLeft = _blockSchedule.Length - _stepInBlock;
            return stepsLeft <= 0 ? _maskedInBlock : Math.Max(planned, (_maskedInBlock + stepsLeft - 1) / stepsLeft);
        }
    }

    /// <summary>
    /// Commits this step's tokens from the scores of <see cref="NextStep"/>'s positions, selected by
    /// <see cref="CommitPolicy"/>. Returns the newly final answer tokens when the step completed a block (cut before an
    /// end token), otherwise null. Scores carry no alternatives: a sequence with <see cref="DecodingSettings.TopLogprobs"/>
    /// commits through the other overload.
    /// </summary>
    public IReadOnlyList<int>? Commit(ForwardSequence step, ReadOnlySpan<TokenScore> scores)
    {
        ArgumentNullException.ThrowIfNull(step);
        IReadOnlyList<int> positions = step.ScorePositions;
        if (scores.Length != positions.Count)
        {
            throw new ArgumentException($"Expected {positions.Count} scores, got {scores.Length}.", nameof(scores));
        }

        if (_settings.TopLogprobs > 0)
        {
            throw new InvalidOperationException("A sequence that lists top_logprobs commits with the alternatives ForwardAndSelect returns, not from scores.");
        }

        return Commit(step, Selected(scores, positions.ToArray(), CommitPolicy));
    }

    /// <summary>
    /// Commits this step's tokens as already selected by <see cref="CommitPolicy"/> (on the device, by
    /// <see cref="IComputeBackend.ScoreAndSelect"/>): each entry names a row of <see cref="NextStep"/>'s positions, and
    /// with <see cref="DecodingSettings.TopLogprobs"/> n its alternatives are <paramref name="alternatives"/>
    /// <c>[k · n, (k + 1) · n)</c> (<see cref="Models.DiffusionTransformer.ForwardAndSelect"/>). Returns the newly final
    /// answer tokens when the step completed a block (cut before an end token), otherwise null.
    /// </summary>
    public IReadOnlyList<int>? Commit(ForwardSequence step, ReadOnlySpan<CommittedToken> committed, ReadOnlySpan<TokenLogprob> alternatives = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        IReadOnlyList<int> positions = step.ScorePositions;
        int listed = _settings.TopLogprobs;
        if (committed.Length > positions.Count)
        {
            throw new ArgumentException($"{committed.Length} commits from {positions.Count} scored positions.", nameof(committed));
        }

        if (alternatives.Length != committed.Length * listed)
        {
            throw new ArgumentException($"{committed.Length} commits of {listed} alternatives each need {committed.Length * listed} alternatives, not {alternatives.Length}.", nameof(alternatives));
        }

        var taken = new bool[positions.Count];
        foreach (CommittedToken c in committed)
        {
            if ((uint)c.Row >= (uint)positions.Count || taken[c.Row] || !_masked[positions[c.Row]])
            {
                throw new ArgumentException($"Commit of row {c.Row}: not one of the {positions.Count} scored rows, named twice, or its position is already committed.", nameof(committed));
            }

            taken[c.Row] = true;
        }

        if (_constraint is not null)
        {
            int allowed = Allowed(committed, positions);
            committed = committed[..allowed];
            alternatives = alternatives[..(allowed * listed)];
        }

        for (int k = 0; k < committed.Length; k++)
        {
            CommittedToken c = committed[k];
            int p = positions[c.Row];
            _canvas[p] = c.Token;
            _logProbabilities[p] = c.LogProbability;
            alternatives.Slice(k * listed, listed).CopyTo(_alternatives.AsSpan((p - PromptLength) * listed, listed));
            _masked[p] = false;
            _maskedInBlock--;
        }

        LastCommitted = committed.Length;
        StepsTaken++;
        _stepInBlock++;
        if (_constraint is { IsComplete: true })
        {
            _completedAt = positions[committed[^1].Row] + 1;
        }

        return _maskedInBlock > 0 && _completedAt == int.MaxValue ? null : FinishBlock();
    }

    /// <summary>Log-probabilities of the answer tokens finalised so far, at the step each was committed.</summary>
    public ReadOnlySpan<float> LogProbabilities(int answerStart, int count) => _logProbabilities.AsSpan(PromptLength + answerStart, count);

    /// <summary>
    /// The alternatives (<see cref="DecodingSettings.TopLogprobs"/> each, most likely first) at the answer tokens
    /// finalised so far, one list per token, at the step each was committed; empty when none are kept.
    /// </summary>
    public IReadOnlyList<TokenLogprob>[] Alternatives(int answerStart, int count)
    {
        int listed = _settings.TopLogprobs;
        if (listed == 0)
        {
            return [];
        }

        var lists = new IReadOnlyList<TokenLogprob>[count];
        for (int i = 0; i < count; i++)
        {
            lists[i] = _alternatives.AsSpan((answerStart + i) * listed, listed).ToArray();
        }

        return lists;
    }

    /// <summary>
    /// How many of a constrained step's commits, from the first, the constraint takes (and takes them): they must be
    /// the leftmost masks in order, and it stops at the first token it refuses, at an end token, or once the answer is
    /// complete. The first is the leftmost mask, whose refused tokens the step banned: refusing it is a defect.
    /// </summary>
    private int Allowed(ReadOnlySpan<CommittedToken> committed, IReadOnlyList<int> positions)
    {
        int next = _blockStart;
        while (!_masked[next])
        {
            next++;
        }

        int allowed = 0;
        foreach (CommittedToken c in committed)
        {
            if (positions[c.Row] != next || _endTokens.Contains(c.Token) || !_constraint!.TryAppend(c.Token))
            {
                break;
            }

            allowed++;
            next++;
            if (_constraint.IsComplete)
            {
                break;
            }
        }

        if (allowed == 0 && committed.Length > 0)
        {
            throw new InvalidOperationException($"The constraint refused token {committed[0].Token} at the leftmost mask, where the step banned every token it refuses.");
        }

        return allowed;
    }

    /// <summary>The step's bias with every banned token (and every end token, while the answer is incomplete) set to <see cref="TokenBias.Ban"/>.</summary>
    private List<TokenBias> WithBans(IReadOnlyList<TokenBias> bias, IReadOnlyList<int> banned)
    {
        if (bias.Count == 0)
        {
            // The usual case, and a ban list can hold most of a vocabulary of 150,000: no dictionary.
            List<TokenBias> bans = [.. banned.Select(token => new TokenBias(token, TokenBias.Ban))];
            bans.AddRange(_endTokens.Where(token => !banned.Contains(token)).Select(token => new TokenBias(token, TokenBias.Ban)));
            return bans;
        }

        var merged = new Dictionary<int, float>(bias.Count + banned.Count);
        foreach (TokenBias b in bias)
        {
            merged[b.Token] = b.Bias;
        }

        foreach (int token in banned.Concat(_endTokens))
        {
            merged[token] = TokenBias.Ban;
        }

        return [.. merged.Select(b => new TokenBias(b.Key, b.Value))];
    }

    private static CommittedToken[] Selected(ReadOnlySpan<TokenScore> scores, ReadOnlySpan<int> positions, CommitPolicy policy)
    {
        var chosen = new int[scores.Length];
        int count = CommitSelection.Select(scores, positions, policy, chosen);
        var committed = new CommittedToken[count];
        for (int k = 0; k < count; k++)
        {
            committed[k] = new CommittedToken(chosen[k], scores[chosen[k]].Token, scores[chosen[k]].LogProbability);
        }

        return committed;
    }

    /// <summary>
    /// The block's first step refreshes the canvas (after the first block, from where the request's
    /// <see cref="KvCacheRefresh"/> starts it); later ones compute the block (and, for prefix mode, the suffix),
    /// widened by the model's <see cref="CacheWindowRule"/>. For block-causal attention the refresh and the prefix
    /// window stop where the dual window does (<see cref="CacheWindowRule.ReadEnd"/>), and the refresh starts at the
    /// previous block's first attention block (<see cref="CacheWindowRule.RefreshStart"/>).
    /// </summary>
    private KvCacheWindow CacheWindow(IKvCache kvCache, int blockEnd)
    {
        int start = _windowRule.Start(_blockStart);
        int readEnd = _windowRule.ReadEnd(blockEnd, _canvas.Length);
        return (_stepInBlock, _settings.KvCache) switch
        {
            (0, _) => new KvCacheWindow(kvCache, _refreshStart, readEnd),
            (_, KvCacheMode.Prefix) => new KvCacheWindow(kvCache, start, readEnd),
            (_, KvCacheMode.Dual) => new KvCacheWindow(kvCache, start, _windowRule.End(blockEnd, _canvas.Length)),
            _ => throw new InvalidOperationException($"Unknown K/V cache mode {_settings.KvCache}."),
        };
    }

    /// <summary>
    /// The request's <c>logit_bias</c>, plus, with a presence or frequency penalty, minus
    /// <c>presence + frequency · count</c> for each token the answer holds so far (one entry per token). End tokens are
    /// not penalised: a diffusion answer may commit several of them at its tail before its blocks reach them.
    /// </summary>
    private IReadOnlyList<TokenBias> StepLogitBias()
    {
        IReadOnlyList<TokenBias> requested = _settings.LogitBias ?? [];
        if (_settings.PresencePenalty == 0 && _settings.FrequencyPenalty == 0)
        {
            return requested;
        }

        var counts = new Dictionary<int, int>();
        for (int p = PromptLength; p < PromptLength + _plan.AnswerLength; p++)
        {
            if (!_masked[p] && !_endTokens.Contains(_canvas[p]))
            {
                counts[_canvas[p]] = counts.GetValueOrDefault(_canvas[p]) + 1;
            }
        }

        var bias = requested.ToDictionary(b => b.Token, b => (double)b.Bias);
        foreach ((int token, int count) in counts)
        {
            bias[token] = bias.GetValueOrDefault(token) - _settings.PresencePenalty - (_settings.FrequencyPenalty * count);
        }

        return [.. bias.Select(b => new TokenBias(b.Key, (float)b.Value))];
    }

    /// <summary>
    /// The sampler's counter for <paramref name="position"/> at this step: (step, position) in the high and low halves, so
    /// a draw does not depend on the canvas's length and a longer <c>max_tokens</c> keeps the draws of the positions both
    /// answers share (on a block-causal model, the answer's opening blocks).
    /// </summary>
    private ulong Counter(int position) => ((ulong)StepsTaken << 32) | (uint)position;

    private List<int> FinishBlock()
    {
        int length = _plan.BlockLengths[_block];
        var tokens = new List<int>(length);
        for (int p = _blockStart; p < _blockStart + length; p++)
        {
            if (p == _completedAt)
            {
                Finish = FinishReason.Stop;
                break;
            }

            if (_endTokens.Contains(_canvas[p]))
            {
                (Finish, EndedAtEndToken) = (FinishReason.Stop, true);
                break;
            }

            tokens.Add(_canvas[p]);
        }

        if (_completedAt == _blockStart + length)
        {
            Finish = FinishReason.Stop;
        }

        CompletionTokens += tokens.Count;
        if (_settings.KvCache != KvCacheMode.None)
        {
            _refreshStart = _windowRule.RefreshStart(_blockStart, _settings.KvCacheRefresh, PromptLength);
        }

        _blockStart += length;
        _block++;
        _stepInBlock = 0;
        if (Finish is null && _block == _plan.BlockLengths.Count)
        {
            Finish = FinishReason.Length;
        }
        else if (Finish is null)
        {
            _blockSchedule = _plan.BlockSchedule(_block);
            _blockKeepProbabilities = _plan.KeepProbabilities(_block);
            _maskedInBlock = _plan.BlockLengths[_block];
        }

        return tokens;
    }
}
