namespace Quicksilver.Engine.Constraints;

/// <summary>
/// OpenAI's <c>response_format: {"type": "json_object"}</c>: the answer is one JSON object and ends when it closes
/// (<see cref="JsonCursor"/>: nothing before the opening brace but whitespace, no container deeper than
/// <see cref="JsonCursor.MaxDepth"/>, no run of more than <see cref="JsonCursor.MaxWhitespaceRun"/> whitespace bytes
/// outside strings). Any keys and values: no schema.
/// </summary>
/// <param name="texts">The model's token texts (one table per model: decoding a vocabulary takes a while).</param>
public sealed class JsonObjectConstraint(TokenTexts texts) : ITokenConstraint
{
    /// <summary>Distinct cursor states whose banned tokens a sequence keeps; past it the memo starts over.</summary>
    private const int MemoizedStates = 1024;

    /// <inheritdoc />
    public ITokenConstraintState Start() => new State(texts);

    private sealed class State(TokenTexts texts) : ITokenConstraintState
    {
        private readonly Dictionary<JsonCursor, int[]> _banned = [];
        private JsonCursor _cursor;

        public bool IsComplete => _cursor.IsComplete;

        // JSON's states repeat (inside a string at one depth, after a value in an object...), so each is scanned
        // against the vocabulary once.
        public IReadOnlyList<int> Banned()
        {
            if (_banned.TryGetValue(_cursor, out int[]? known))
            {
                return known;
            }

            var banned = new List<int>();
            for (int id = 0; id < texts.Count; id++)
            {
                if (!Allows(id, out _))
                {
                    banned.Add(id);
                }
            }

            if (_banned.Count == MemoizedStates)
            {
                _banned.Clear();
            }

            return _banned[_cursor] = [.. banned];
        }

        public bool TryAppend(int token)
        {
            if (!Allows(token, out JsonCursor next))
            {
                return false;
            }

            _cursor = next;
            return true;
        }

        /// <summary>Whether the token writes at least one byte and every byte it writes keeps the answer a valid prefix.</summary>
        private bool Allows(int token, out JsonCursor next)
        {
            next = _cursor;
            return texts[token] is { Length: > 0 } bytes && next.Step(bytes);
        }
    }
}
