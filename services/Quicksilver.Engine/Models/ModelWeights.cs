using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>A checkpoint's tensors validated against the configuration and made resident on a backend.</summary>
internal sealed class ModelWeights : IDisposable
{
    private readonly List<IWeight> _all = [];

    private ModelWeights(ModelConfig config, ITensorSource tensors, IComputeBackend backend)
    {
        foreach ((string name, long[] shape) in WeightSpec.Required(config))
        {
            if (!tensors.TryGet(name, out CheckpointTensor? tensor))
            {
                throw new CheckpointException(tensors.SourcePath, name, $"missing tensor: a {config.Architecture} model with this config.json needs it (shape [{string.Join(", ", shape)}]).");
            }

            if (!tensor.Shape.SequenceEqual(shape))
            {
                throw new CheckpointException(tensor.FilePath, name, $"shape [{string.Join(", ", tensor.Shape)}] disagrees with config.json, which implies [{string.Join(", ", shape)}].");
            }
        }

        TensorNaming names = TensorNaming.For(config.Architecture);
        IWeight Load(string name)
        {
            tensors.TryGet(name, out CheckpointTensor? tensor);
            IWeight weight = backend.LoadWeight(tensor!);
            _all.Add(weight);
            return weight;
        }

        IWeight? LoadBias(int layer, LayerTensor role) => config.QkvBias ? Load(names.Layer(layer, role)) : null;
        IWeight? LoadHeadNorm(int layer, LayerTensor role) => config.QueryKeyNorm ? Load(names.Layer(layer, role)) : null;

        Embedding = Load(names.Embedding);
        Layers = new LayerWeights[config.LayerCount];
        for (int i = 0; i < config.LayerCount; i++)
        {
            Layers[i] = new LayerWeights(
                Load(names.Layer(i, LayerTensor.AttentionNorm)),
                Load(names.Layer(i, LayerTensor.Query)),
                Load(names.Layer(i, LayerTensor.Key)),
                Load(names.Layer(i, LayerTensor.Value)),
                LoadBias(i, LayerTensor.QueryBias),
                LoadBias(i, LayerTensor.KeyBias),
                LoadBias(i, LayerTensor.ValueBias),
                LoadHeadNorm(i, LayerTensor.QueryNorm),
                LoadHeadNorm(i, LayerTensor.KeyNorm),
                Load(names.Layer(i, LayerTensor.AttentionOutput)),
                Load(names.Layer(i, LayerTensor.MlpNorm)),
                Load(names.Layer(i, LayerTensor.Gate)),
                Load(names.Layer(i, LayerTensor.Up)),
                Load(names.Layer(i, LayerTensor.Down)));
        }

        FinalNorm = Load(names.FinalNorm);
        Head = config.TieWordEmbeddings ? Embedding : Load(names.Head);
    }

    public IWeight Embedding { get; }

    public LayerWeights[] Layers { get; }

    public IWeight FinalNorm { get; }

    /// <summary>The output head: the embedding table itself when the checkpoint ties them.</summary>
    public IWeight Head { get; }

    /// <summary>
    /// Checks every required tensor (present, shape as <c>config.json</c> implies) before loading any, so a defect
    /// is reported by name instead of surfacing as a wrong result.
    /// </summary>
    public static ModelWeights Bind(ModelConfig config, ITensorSource tensors, IComputeBackend backend) =>
        new(config, tensors, backend);

    public void Dispose()
    {
        foreach (IWeight weight in _all)
        {
            weight.Dispose();
        }
    }
}
