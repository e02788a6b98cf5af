using Quicksilver.Engine;
using Quicksilver.Engine.Models;

namespace Quicksilver.Server.Tests.Fakes;

/// <summary>A <see cref="ServedModel"/> around <see cref="FakeGenerationEngine"/> and <see cref="FakeTokenizer"/>.</summary>
internal static class FakeServedModel
{
    public const string Id = "fake-tiny";
    public const int ContextLength = 128;
    public static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static FakeTokenizer Tokenizer { get; } = new();

    public static ServedModel Create(FakeGenerationEngine? engine = null) =>
        new(
            Id,
            new ModelConfig
            {
                Architecture = ModelArchitecture.LLaDA,
                HiddenSize = 16,
                LayerCount = 1,
                HeadCount = 2,
                KeyValueHeadCount = 2,
                IntermediateSize = 32,
                VocabSize = Tokenizer.VocabSize,
                MaxSequenceLength = ContextLength,
                MaskTokenId = FakeTokenizer.MaskId,
                EosTokenIds = [FakeTokenizer.EosId],
            },
            Tokenizer,
            engine ?? new FakeGenerationEngine(Tokenizer),
            "cpu",
            Created);

    public static FakeGenerationEngine Engine(
        int? pauseAfterBlocks = null,
        string? rejectWith = null,
        int? failAfterBlocks = null) =>
        new(Tokenizer) { PauseAfterBlocks = pauseAfterBlocks, RejectWith = rejectWith, FailAfterBlocks = failAfterBlocks };
}
