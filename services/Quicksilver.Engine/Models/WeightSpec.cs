namespace Quicksilver.Engine.Models;

/// <summary>
/// Every tensor a configuration requires, with the shape <c>config.json</c> implies for it. The checkpoint is
/// checked against this list before anything is made resident.
/// </summary>
public static class WeightSpec
{
    /// <summary>(name, shape) of every tensor the model needs, outermost dimension first.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Required(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TensorNaming names = TensorNaming.For(config.Architecture);
        long d = config.HiddenSize, q = config.QueryWidth, kv = (long)config.KeyValueHeadCount * config.HeadDim, ff = config.IntermediateSize, vocab = config.VocabSize;
        yield return (names.Embedding, [vocab, d]);
        for (int i = 0; i < config.LayerCount; i++)
        {
            yield return (names.Layer(i, LayerTensor.AttentionNorm), [d]);
            yield return (names.Layer(i, LayerTensor.Query), [q, d]);
            yield return (names.Layer(i, LayerTensor.Key), [kv, d]);
            yield return (names.Layer(i, LayerTensor.Value), [kv, d]);
            if (config.QkvBias)
            {
                yield return (names.Layer(i, LayerTensor.QueryBias), [q]);
                yield return (names.Layer(i, LayerTensor.KeyBias), [kv]);
                yield return (names.Layer(i, LayerTensor.ValueBias), [kv]);
            }

            if (config.QueryKeyNorm)
            {
                yield return (names.Layer(i, LayerTensor.QueryNorm), [config.HeadDim]);
                yield return (names.Layer(i, LayerTensor.KeyNorm), [config.HeadDim]);
            }

            yield return (names.Layer(i, LayerTensor.AttentionOutput), [d, q]);
            yield return (names.Layer(i, LayerTensor.MlpNorm), [d]);
            yield return (names.Layer(i, LayerTensor.Gate), [ff, d]);
            yield return (names.Layer(i, LayerTensor.Up), [ff, d]);
            yield return (names.Layer(i, LayerTensor.Down), [d, ff]);
        }

        yield return (names.FinalNorm, [d]);
        if (!config.TieWordEmbeddings)
        {
            yield return (names.Head, [vocab, d]);
        }
    }
}
