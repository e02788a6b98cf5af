using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE, slow tokenizer: <c>Limits:TokenizerWorkers</c> bounds how many requests tokenise at once, on every
/// endpoint that tokenises (the tokenizer endpoints and both generation endpoints); the others wait for a slot and
/// all are answered.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class TokenizerWorkersTests
{
    [Fact]
    public async Task ManyRequestsAtOnce_AtMostTheWorkersTokeniseTogether_AndAllAreAnswered()
    {
        var tokenizer = new SlowTokenizer(FakeServedModel.Tokenizer, TimeSpan.FromMilliseconds(150));
        await using var factory = new QuicksilverApiFactory(
            FakeChatModel.Create(FakeServedModel.Engine()) with { Tokenizer = tokenizer },
            new Dictionary<string, string?> { ["Quicksilver:Limits:TokenizerWorkers"] = "2" });
        using HttpClient client = await factory.CreateReadyClientAsync();
        tokenizer.Reset();

        HttpResponseMessage[] answers = await Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => client.PostAsync(new Uri("/tokenize", UriKind.Relative), Json(new JsonObject { ["prompt"] = "Say hi" })))
                .Concat(Enumerable.Range(0, 2).Select(_ => client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hi", ["max_tokens"] = 2 })))
                .Concat(Enumerable.Range(0, 2).Select(_ => client.PostChatCompletionAsync(new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = 2 }))));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.InRange(tokenizer.MostAtOnce, 1, 2); // without the bound all seven tokenise together
        foreach (HttpResponseMessage answer in answers)
        {
            answer.Dispose();
        }
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>A tokenizer whose <see cref="Encode"/> takes <paramref name="delay"/>, counting how many run at once.</summary>
    private sealed class SlowTokenizer(ITextTokenizer inner, TimeSpan delay) : ITextTokenizer
    {
        private int _running;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public int VocabSize => inner.VocabSize;

        public void Reset() => Volatile.Write(ref _most, 0);

        public IReadOnlyList<int> Encode(string text)
        {
            int running = Interlocked.Increment(ref _running);
            int most;
            while (running > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, running, most) != most)
            {
            }

            Thread.Sleep(delay);
            Interlocked.Decrement(ref _running);
            return inner.Encode(text);
        }

        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => inner.Decode(ids, skipSpecialTokens);

        public int? TokenToId(string token) => inner.TokenToId(token);

        public bool IsSpecial(int id) => inner.IsSpecial(id);
    }
}
