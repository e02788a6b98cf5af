using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Bench;

/// <summary>
/// Prompts of real text for a trained model: one per line of a file, encoded by the model's tokenizer with the special
/// tokens a completions prompt gets when served (<see cref="PromptSpecialTokens"/>).
/// </summary>
internal static class TextPrompts
{
    /// <summary>
    /// One prompt of exactly <paramref name="length"/> tokens per line of <paramref name="path"/> long enough for it: the
    /// model's prompt special tokens around the line's first tokens, encoded by the tokenizer of the model in
    /// <paramref name="modelFolder"/>; an error when no line is long enough.
    /// </summary>
    public static IReadOnlyList<int[]> Read(string modelFolder, string path, int length)
    {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(Path.Combine(modelFolder, "tokenizer.json"));
        string configPath = Path.Combine(modelFolder, TokenizerConfigReader.FileName);
        PromptSpecialTokens special = PromptSpecialTokens.Resolve(tokenizer.PostProcessor, TokenizerConfigReader.ReadIfPresent(configPath), tokenizer, configPath);
        int textLength = length - special.Prefix.Count - special.Suffix.Count;
        if (textLength < 1)
        {
            throw new InvalidOperationException($"A prompt of {length} tokens has no room for text beside the model's {special.Prefix.Count + special.Suffix.Count} special tokens.");
        }

        int[][] prompts = File.ReadLines(path)
            .Select(line => tokenizer.Encode(line))
            .Where(tokens => tokens.Count >= textLength)
            .Select(tokens => (int[])[.. special.Prefix, .. tokens.Take(textLength), .. special.Suffix])
            .ToArray();
        return prompts.Length > 0 ? prompts : throw new InvalidOperationException($"No line of {path} encodes to {textLength} tokens or more.");
    }
}
