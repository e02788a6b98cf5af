namespace Quicksilver.Engine.Tokenization;

/// <summary>One entry of a <c>tokenizer.json</c>'s <c>added_tokens</c>: matched literally in text before BPE runs.</summary>
/// <param name="Id">Token id.</param>
/// <param name="Content">The exact text of the token.</param>
/// <param name="Special">Whether decoding with <c>skipSpecialTokens</c> leaves it out.</param>
/// <param name="LeftStrip">Whether whitespace before the token is absorbed into it (<c>lstrip</c>).</param>
/// <param name="RightStrip">Whether whitespace after the token is absorbed into it (<c>rstrip</c>).</param>
/// <param name="SingleWord">Whether the token only matches when not inside a word (<c>single_word</c>).</param>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip, bool RightStrip, bool SingleWord);
