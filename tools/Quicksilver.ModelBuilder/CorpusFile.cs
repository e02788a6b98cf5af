namespace Quicksilver.ModelBuilder;

/// <summary>One tokenizer training file: where it was read from, its text and the SHA-256 of its bytes.</summary>
internal sealed record CorpusFile(string Path, string Text, string Sha256);
