using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// <see cref="GenerationRequest.EndsAfterBlock"/>: the caller's check (a stop sequence found) ends a sequence on the
/// step that finalised the block, before another step is run or charged, and a check that throws changes nothing.
/// </summary>
public sealed class DiffusionEngineEndsAfterBlockTests
{
    private static readonly GenerationRequest Request = new()
    {
        PromptTokens = [1, 2, 3, 4],
        MaxTokens = 16,
        BlockLength = 4,
        Temperature = 0.8f,
        Seed = 5,
        IgnoreEos = true,
    };

    [Fact]
    public async Task GenerateAsync_CheckTrueOnTheSecondBlock_EndsTheSequenceAfterItsEighthStep()
    {
        using var test = new TestEngine(new EngineOptions());
        var seen = new List<int[]>();
        var updates = new List<GenerationUpdate>();

        Exception? ended = await Record.ExceptionAsync(async () =>
        {
            await foreach (GenerationUpdate update in test.Engine.Generate(Request with { EndsAfterBlock = block => { seen.Add([.. block]); return seen.Count == 2; } }, CancellationToken.None))
            {
                updates.Add(update);
            }
        });

        Assert.IsType<OperationCanceledException>(ended);
        Assert.Equal([4, 4, 0], updates.Select(u => u.Tokens.Count));
        Assert.True(updates[^1].IsSettlement);
        Assert.Equal(8, updates[^1].Steps); // two blocks of four tokens at one step per token; not one step more
        Assert.Equal(updates.Take(2).Select(u => u.Tokens.ToArray()), seen);
    }

    [Fact]
    public async Task GenerateAsync_CheckThatThrows_TheSequenceRunsToItsBudget()
    {
        using var test = new TestEngine(new EngineOptions());
        int[] expected = await Answer(test, Request);

        int[] answer = await Answer(test, Request with { EndsAfterBlock = _ => throw new InvalidOperationException("broken check") });

        Assert.Equal(16, answer.Length);
        Assert.Equal(expected, answer);
    }

    private static async Task<int[]> Answer(TestEngine test, GenerationRequest request)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in test.Engine.Generate(request, CancellationToken.None))
        {
            tokens.AddRange(update.Tokens);
        }

        return [.. tokens];
    }
}
