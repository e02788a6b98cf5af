using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Bench;

/// <summary>Prompts of real text for a trained model: one per line of a file, encoded by the model's tokenizer.</summary>
internal static class TextPrompts
{
    /// <summary>
    /// The first <paramref name="length"/> tokens of each line of <paramref name="path"/> that has that many, encoded by
    /// the tokenizer of the model in <paramref name="modelFolder"/>; an error when no line is long enough.
    /// </summary>
    public static IReadOnlyList<int[]> Read(string modelFolder, string path, int length)
    {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(Path.Combine(modelFolder, "tokenizer.json"));
        int[][] prompts = File.ReadLines(path)
            .Select(line => tokenizer.Encode(line))
            .Where(tokens => tokens.Count >= length)
            .Select(tokens => tokens.Take(length).ToArray())
            .ToArray();
        return prompts.Length > 0 ? prompts : throw new InvalidOperationException($"No line of {path} encodes to {length} tokens or more.");
    }
}
