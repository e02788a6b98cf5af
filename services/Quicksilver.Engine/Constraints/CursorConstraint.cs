namespace Quicksilver.Engine.Constraints;

/// <summary>
/// A token constraint from a byte cursor: a token is allowed when it writes at least one byte and every byte keeps the
/// answer a prefix of the cursor's language; the answer is complete when the cursor is. Each sequence memoises the
/// tokens each cursor state bans: a grammar's states repeat (inside a string at one depth, after a value in an
/// object...), so each is scanned against the vocabulary once, while the memo holds fewer than
/// <see cref="MemoizedBans"/> ids (outside strings a state bans most of a vocabulary: about 13 such states of a
/// 150,000-token one).
/// </summary>
/// <typeparam name="TCursor">The cursor.</typeparam>
/// <param name="texts">The model's token texts.</param>
/// <param name="start">The cursor before the answer's first byte.</param>
internal sealed class CursorConstraint<TCursor>(TokenTexts texts, TCursor start) : ITokenConstraint
    where TCursor : struct, IByteCursor<TCursor>
{
    /// <summary>Banned ids a sequence's memo keeps, all states together (4 MiB); past it the memo starts over.</summary>
    private const int MemoizedBans = 1 << 20;

    public int VocabularySize => texts.Count;

    public ITokenConstraintState Start() => new State(texts, start);

    private sealed class State(TokenTexts texts, TCursor cursor) : ITokenConstraintState
    {
        private Dictionary<TCursor, int[]> _banned = [];
        private TCursor _cursor = cursor;
        private int _memoized;

        public bool IsComplete => _cursor.IsComplete;

        public IReadOnlyList<int> Banned()
        {
            if (_banned.TryGetValue(_cursor, out int[]? known))
            {
                return known;
            }

            // A first byte the cursor refuses bans every token that starts with it, unread: outside strings most do.
            var banned = new List<int>(texts.Silent.ToArray());
            for (int first = 0; first < 256; first++)
            {
                TCursor probe = _cursor;
                ReadOnlySpan<int> group = texts.StartingWith((byte)first);
                if (!probe.Step((byte)first))
                {
                    banned.AddRange(group);
                    continue;
                }

                foreach (int id in group)
                {
                    if (!Allows(id, out _))
                    {
                        banned.Add(id);
                    }
                }
            }

            if (_memoized + banned.Count > MemoizedBans)
            {
                (_memoized, _banned) = (0, []);
            }

            _memoized += banned.Count;
            return _banned[_cursor] = [.. banned];
        }

        public bool TryAppend(int token)
        {
            if (!Allows(token, out TCursor next))
            {
                return false;
            }

            _cursor = next;
            return true;
        }

        private bool Allows(int token, out TCursor next)
        {
            next = _cursor;
            return texts[token] is { Length: > 0 } bytes && next.Step(bytes);
        }
    }
}
