using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Checkpoints;

public sealed class GenerationConfigReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string json) => _folder.WriteText(CheckpointFileNames.GenerationConfig, json);

    [Fact]
    public void Read_DreamGenerationConfig_ReadsFields()
    {
        string path = Write("""
            {"_from_model_config": true, "bos_token_id": 151643, "eos_token_id": 151643, "pad_token_id": 151643,
             "alg": "origin", "alg_temp": null, "steps": 512, "eps": 0.001, "max_length": 20, "temperature": 0.0,
             "top_p": 0.95, "top_k": null, "transformers_version": "4.46.2"}
            """);

        GenerationDefaults defaults = GenerationConfigReader.Read(path);

        Assert.Equal([151643], defaults.EosTokenIds);
        Assert.Equal(512, defaults.Steps);
        Assert.Equal(RemaskingStrategy.Origin, defaults.Remasking);
        Assert.Null(defaults.AlgorithmTemperature);
        Assert.Equal(0.001, defaults.Eps);
        Assert.Equal(0.0, defaults.Temperature);
        Assert.Equal(0.95, defaults.TopP);
        Assert.Null(defaults.TopK);
        Assert.Null(defaults.MaxNewTokens);
        Assert.Null(defaults.BlockLength);
    }

    [Fact]
    public void Read_LLaDAStyleConfig_ReadsEosListBlockLengthAndMaxNewTokens()
    {
        string path = Write("""{"eos_token_id": [126081, 126348], "steps": 128, "block_length": 32, "max_new_tokens": 128, "temperature": 1, "top_k": 0}""");

        GenerationDefaults defaults = GenerationConfigReader.Read(path);

        Assert.Equal([126081, 126348], defaults.EosTokenIds);
        Assert.Equal(128, defaults.Steps);
        Assert.Equal(32, defaults.BlockLength);
        Assert.Equal(128, defaults.MaxNewTokens);
        Assert.Equal(1.0, defaults.Temperature);
        Assert.Equal(0, defaults.TopK);
        Assert.Null(defaults.Remasking);
    }

    [Theory]
    [InlineData("origin", RemaskingStrategy.Origin)]
    [InlineData("maskgit_plus", RemaskingStrategy.LowConfidence)]
    [InlineData("topk_margin", RemaskingStrategy.Margin)]
    [InlineData("entropy", RemaskingStrategy.Entropy)]
    public void Read_DreamAlgorithmName_MapsToItsRemasking(string alg, RemaskingStrategy expected)
    {
        Assert.Equal(expected, GenerationConfigReader.Read(Write($$"""{"alg": "{{alg}}", "alg_temp": 0.5}""")).Remasking);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(50, 50)]
    public void Read_TopK_MinusOneOrZeroDisable(int topK, int expected)
    {
        Assert.Equal(expected, GenerationConfigReader.Read(Write($$"""{"top_k": {{topK}}}""")).TopK);
    }

    [Fact]
    public void Read_FastDllmV2Recipe_ReadsBlockLengthAndThreshold()
    {
        GenerationDefaults defaults = GenerationConfigReader.Read(Write("""{"block_length": 8, "threshold": 0.9}"""));

        Assert.Equal((8, 0.9, null), (defaults.BlockLength, defaults.Threshold, defaults.Factor));
    }

    [Fact]
    public void Read_Factor_ReadsIt()
    {
        Assert.Equal(1.5, GenerationConfigReader.Read(Write("""{"factor": 1.5}""")).Factor);
    }

    [Fact]
    public void Read_MissingFile_ReturnsNone()
    {
        GenerationDefaults defaults = GenerationConfigReader.Read(_folder.File(CheckpointFileNames.GenerationConfig));
        Assert.Same(GenerationDefaults.None, defaults);
        Assert.Null(defaults.Steps);
    }

    [Fact]
    public void Read_EmptyObject_AllNull()
    {
        Assert.Equal(GenerationDefaults.None, GenerationConfigReader.Read(Write("{}")));
    }

    [Theory]
    [InlineData("""{"steps": "512"}""", "steps", "expected an integer")]
    [InlineData("""{"steps": 0}""", "steps", "must be positive")]
    [InlineData("""{"block_length": -32}""", "block_length", "must be positive")]
    [InlineData("""{"max_new_tokens": 1.5}""", "max_new_tokens", "expected a 32-bit integer")]
    [InlineData("""{"temperature": "hot"}""", "temperature", "expected a number")]
    [InlineData("""{"temperature": -0.5}""", "temperature", "must not be negative")]
    [InlineData("""{"top_p": 1.5}""", "top_p", "must be in (0, 1]")]
    [InlineData("""{"top_k": -2}""", "top_k", "must be at least 1, or 0 or -1 to disable it")]
    [InlineData("""{"alg": "confidence"}""", "alg", "unknown algorithm 'confidence'; expected one of 'origin', 'maskgit_plus', 'topk_margin', 'entropy'")]
    [InlineData("""{"alg": ""}""", "alg", "unknown algorithm ''")]
    [InlineData("""{"alg": 3}""", "alg", "expected a string")]
    [InlineData("""{"alg_temp": -1}""", "alg_temp", "must not be negative")]
    [InlineData("""{"eps": 2}""", "eps", "must be in (0, 1)")]
    [InlineData("""{"threshold": 0}""", "threshold", "must be in (0, 1]")]
    [InlineData("""{"threshold": 1.1}""", "threshold", "must be in (0, 1]")]
    [InlineData("""{"factor": 0}""", "factor", "must be positive")]
    [InlineData("""{"threshold": 0.9, "factor": 1}""", "factor", "two different commit rules")]
    [InlineData("""{"eos_token_id": [1, "2"]}""", "eos_token_id", "item 1 is a string")]
    [InlineData("""{"eos_token_id": -1}""", "eos_token_id", "non-negative")]
    public void Read_MalformedField_ThrowsNamingField(string json, string field, string fragment)
    {
        string path = Write(json);
        CheckpointAssert.Throws(() => GenerationConfigReader.Read(path), path, field, fragment);
    }

    [Fact]
    public void Read_NotJson_ThrowsNamingFile()
    {
        string path = Write("{\"steps\": ");
        CheckpointAssert.Throws(() => GenerationConfigReader.Read(path), path, null, "not valid JSON");
    }
}
