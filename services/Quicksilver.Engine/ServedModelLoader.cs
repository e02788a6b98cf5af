using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine;

/// <summary>Loads a Hugging Face-style model folder and starts its engine.</summary>
public static class ServedModelLoader
{
    /// <summary>
    /// Reads <c>config.json</c>, the safetensors checkpoint, <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and
    /// (when present) <c>generation_config.json</c>; validates the checkpoint against the config; loads the chat
    /// template (<see cref="ChatTemplateLoader"/>) and the prompt's special tokens (<see cref="PromptSpecialTokens"/>);
    /// picks the backend; warms the model up (<see cref="ModelWarmUp"/>); starts the step loop. Every defect is a
    /// <see cref="CheckpointException"/> naming the file and field or tensor.
    /// </summary>
    /// <param name="modelFolder">The model folder.</param>
    /// <param name="options">How to run it.</param>
    /// <param name="loggerFactory">Loggers of the loader and the engine.</param>
    /// <param name="metering">The price of device time; none (0 USD) when null.</param>
    /// <param name="meterFactory">The host's meter factory, which creates the engine's meters; none: process-wide meters.</param>
    public static ServedModel Load(string modelFolder, EngineOptions options, ILoggerFactory loggerFactory, MeteringOptions? metering = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ILogger logger = loggerFactory.CreateLogger(typeof(ServedModelLoader));
        string folder = Path.GetFullPath(modelFolder);
        if (!Directory.Exists(folder))
        {
            throw new CheckpointException(folder, null, "the model folder does not exist.");
        }

        ModelConfig config = ModelConfigReader.Read(Path.Combine(folder, "config.json"));
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
        string tokenizerConfigPath = Path.Combine(folder, TokenizerConfigReader.FileName);
        TokenizerConfig tokenizerConfig = TokenizerConfigReader.ReadIfPresent(tokenizerConfigPath);
        IChatTemplate? chatTemplate = ChatTemplateLoader.Load(tokenizerConfig, tokenizer, tokenizerConfigPath);
        PromptSpecialTokens promptSpecialTokens = PromptSpecialTokens.Resolve(tokenizer.PostProcessor, tokenizerConfig, tokenizer, tokenizerConfigPath);
        CheckWithinVocabulary(promptSpecialTokens, tokenizer.PostProcessor is null ? null : Path.Combine(folder, "tokenizer.json"), tokenizerConfigPath, config.VocabSize);
        string generationConfigPath = Path.Combine(folder, "generation_config.json");
        GenerationDefaults generation = File.Exists(generationConfigPath) ? GenerationConfigReader.Read(generationConfigPath) : GenerationDefaults.None;
        if (generation.Threshold is null && generation.Factor is null)
        {
            // The deployment's commit rule is the fallback under the model's, as DefaultBlockLength is.
            generation = generation with { Threshold = options.DefaultThreshold, Factor = options.DefaultFactor };
        }

        IComputeBackend backend = ComputeBackendFactory.Create(
            options,
            logger,
            new CudaBackendOptions { DeviceOrdinal = options.CudaDevice, KernelCacheDirectory = options.KernelCacheDirectory });
        ITensorSource? tensors = null;
        try
        {
            tensors = CheckpointLoader.Open(folder);
            var transformer = new DiffusionTransformer(config, tensors, backend);
            var warmUp = System.Diagnostics.Stopwatch.StartNew();
            int warmUpSteps = ModelWarmUp.Run(transformer, options.WarmUpSteps);
            logger.LogInformation("Warm-up: {Steps} denoising steps of {Sequences} sequences in {Seconds:F2} s", warmUpSteps, ModelWarmUp.Sequences, warmUp.Elapsed.TotalSeconds);
            string id = options.ModelId ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
            var engine = new DiffusionEngine(
                transformer,
                options with { ModelId = id },
                EndTokens.Collect(config, generation, tokenizerConfig, tokenizer),
                loggerFactory.CreateLogger<DiffusionEngine>(),
                metering: metering,
                generation: generation,
                meterFactory: meterFactory);
            logger.LogInformation(
                "Request defaults from generation_config.json: temperature {Temperature}, top_p {TopP}, top_k {TopK}, alg {Remasking}, alg_temp {AlgTemp}, steps {Steps}, block_length {BlockLength}, threshold {Threshold}, factor {Factor} (unset: the server's; threshold and factor: the deployment's, else the step schedule)",
                generation.Temperature,
                generation.TopP,
                generation.TopK,
                generation.Remasking,
                generation.AlgorithmTemperature,
                generation.Steps,
                generation.BlockLength,
                generation.Threshold,
                generation.Factor);
            logger.LogInformation("A completions prompt's text gets special tokens [{Prefix}] before it and [{Suffix}] after it", string.Join(", ", promptSpecialTokens.Prefix), string.Join(", ", promptSpecialTokens.Suffix));
            logger.LogInformation("Serving {Model} ({Architecture}, {Layers} layers, d={Hidden}) on the {Backend} backend: {Device}", id, config.Architecture, config.LayerCount, config.HiddenSize, backend.Name, backend.Description);
            return new ServedModel(id, config, tokenizer, engine, backend.Name, DateTimeOffset.UtcNow)
            {
                Resources = [backend, tensors, transformer, engine],
                ChatTemplate = chatTemplate,
                Generation = generation,
                PromptSpecialTokens = promptSpecialTokens,
            };
        }
        catch
        {
            tensors?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The prompt's special tokens must be rows of the model's embedding; else every text prompt would be refused.
    /// Names the post-processor of <paramref name="tokenizerJsonPath"/> when they came from it, else the flag.
    /// </summary>
    private static void CheckWithinVocabulary(PromptSpecialTokens tokens, string? tokenizerJsonPath, string tokenizerConfigPath, int vocabSize)
    {
        foreach ((IReadOnlyList<int> ids, string flag) in new[] { (tokens.Prefix, "add_bos_token"), (tokens.Suffix, "add_eos_token") })
        {
            if (ids.FirstOrDefault(id => id >= vocabSize, -1) is var beyond and >= 0)
            {
                throw new CheckpointException(
                    tokenizerJsonPath ?? tokenizerConfigPath,
                    tokenizerJsonPath is null ? flag : "post_processor",
                    $"adds token {beyond} to prompts, past the model's vocabulary ({vocabSize} ids in config.json)");
            }
        }
    }
}
