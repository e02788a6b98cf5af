using Quicksilver.Engine.Tests.TestModels;
using System.Buffers.Binary;
using System.Text.Json;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

/// <summary>The committed default model folder, <c>models/quicksilver-tiny</c>, written by tools/Quicksilver.ModelBuilder.</summary>
public sealed class QuicksilverTinyModelTests
{
    private static readonly string ModelDirectory = RepositoryFolders.TinyModel;
    private static readonly HuggingFaceTokenizer Tokenizer = HuggingFaceTokenizer.Load(Path.Combine(ModelDirectory, "tokenizer.json"));

    [Fact]
    public void Tokenizer_DemoPrompt_RoundTrips()
    {
        const string prompt = "The quick brown fox";

        IReadOnlyList<int> ids = Tokenizer.Encode(prompt);

        Assert.Equal(prompt, Tokenizer.Decode(ids));
        Assert.InRange(ids.Count, 2, prompt.Length - 1);
        Assert.All(ids, id => Assert.False(Tokenizer.IsSpecial(id)));
    }

    [Fact]
    public void Tokenizer_ChatPrompt_EncodesSpecialTokensAsSingleIds()
    {
        const string prompt = "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";

        IReadOnlyList<int> ids = Tokenizer.Encode(prompt);

        Assert.Equal(Tokenizer.TokenToId("<|startoftext|>"), ids[0]);
        Assert.Equal(Tokenizer.TokenToId("<|start_header_id|>"), ids[1]);
        Assert.Equal(prompt, Tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal("user\n\nHello!assistant\n\n", Tokenizer.Decode(ids));
    }

    [Fact]
    public void Configs_TokenIds_AgreeWithTokenizer()
    {
        TokenizerConfig tokenizerConfig = TokenizerConfigReader.Read(Path.Combine(ModelDirectory, TokenizerConfigReader.FileName));
        using JsonDocument config = ReadJson("config.json");
        using JsonDocument generation = ReadJson("generation_config.json");
        JsonElement model = config.RootElement;

        int eos = Tokenizer.TokenToId(tokenizerConfig.EosToken!)!.Value;
        int mask = Tokenizer.TokenToId(tokenizerConfig.MaskToken!)!.Value;
        int eot = Tokenizer.TokenToId("<|eot_id|>")!.Value;
        Assert.Equal(eos, model.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(eos, model.GetProperty("pad_token_id").GetInt32());
        Assert.Equal(mask, model.GetProperty("mask_token_id").GetInt32());
        Assert.Equal(Tokenizer.VocabSize, model.GetProperty("vocab_size").GetInt32());
        Assert.Equal(Tokenizer.VocabSize, model.GetProperty("embedding_size").GetInt32());
        Assert.Equal(0, Tokenizer.VocabSize % 64);
        Assert.Equal([eos, eot], generation.RootElement.GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Tokenizer.TokenToId(tokenizerConfig.BosToken!), generation.RootElement.GetProperty("bos_token_id").GetInt32());
        Assert.All((int[])[eos, mask, eot], id => Assert.True(Tokenizer.IsSpecial(id)));
        Assert.Equal(model.GetProperty("max_sequence_length").GetInt64(), tokenizerConfig.ModelMaxLength);
        Assert.Contains("<|start_header_id|>", tokenizerConfig.ChatTemplate, StringComparison.Ordinal);
        Assert.Equal("llada", model.GetProperty("model_type").GetString());
    }

    [Fact]
    public void Safetensors_Header_HasLladaTensorsWithConfigShapes()
    {
        using JsonDocument config = ReadJson("config.json");
        JsonElement c = config.RootElement;
        long d = c.GetProperty("d_model").GetInt64();
        long vocab = c.GetProperty("embedding_size").GetInt64();
        long mlp = c.GetProperty("mlp_hidden_size").GetInt64();
        long kv = c.GetProperty("n_kv_heads").GetInt64() * d / c.GetProperty("n_heads").GetInt64();
        int layers = c.GetProperty("n_layers").GetInt32();
        var expected = new Dictionary<string, long[]>
        {
            ["model.transformer.wte.weight"] = [vocab, d],
            ["model.transformer.ln_f.weight"] = [d],
            ["model.transformer.ff_out.weight"] = [vocab, d],
        };
        for (int i = 0; i < layers; i++)
        {
            string block = $"model.transformer.blocks.{i}.";
            expected[block + "attn_norm.weight"] = [d];
            expected[block + "ff_norm.weight"] = [d];
            expected[block + "q_proj.weight"] = [d, d];
            expected[block + "k_proj.weight"] = [kv, d];
            expected[block + "v_proj.weight"] = [kv, d];
            expected[block + "attn_out.weight"] = [d, d];
            expected[block + "ff_proj.weight"] = [mlp, d];
            expected[block + "up_proj.weight"] = [mlp, d];
            expected[block + "ff_out.weight"] = [d, mlp];
        }

        byte[] file = File.ReadAllBytes(Path.Combine(ModelDirectory, "model.safetensors"));
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        var tensors = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        long end = 0;
        foreach (JsonProperty tensor in tensors)
        {
            Assert.Equal("BF16", tensor.Value.GetProperty("dtype").GetString());
            Assert.Equal(expected[tensor.Name], tensor.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()));
            end = Math.Max(end, tensor.Value.GetProperty("data_offsets")[1].GetInt64());
        }

        Assert.Equal(file.Length, 8 + headerLength + end);
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
    }

    private static JsonDocument ReadJson(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDirectory, name)));
}
