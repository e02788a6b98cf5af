using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// An independent, deliberately plain implementation of the published architecture: one sequence at a time, scalar
/// loops, double precision, no code shared with the engine's kernels. It is the yardstick for the forward pass.
/// </summary>
internal sealed class ScalarReferenceTransformer
{
    private readonly ModelConfig _c;
    private readonly IReadOnlyDictionary<string, float[]> _w;
    private readonly TensorNaming _names;

    public ScalarReferenceTransformer(ModelConfig config, IReadOnlyDictionary<string, float[]> weights)
    {
        _c = config;
        _w = weights;
        _names = TensorNaming.For(config.Architecture);
    }

    /// <summary>Logits (one row of VocabSize per requested position) for one sequence.</summary>
    public double[][] Logits(int[] tokens, int[] positions)
    {
        int n = tokens.Length, d = _c.HiddenSize, hd = _c.HeadDim, kvd = _c.KeyValueHeadCount * hd;
        var h = new double[n][];
        float[] embedding = _w[_names.Embedding];
        for (int t = 0; t < n; t++)
        {
            h[t] = new double[d];
            for (int i = 0; i < d; i++)
            {
                h[t][i] = embedding[(tokens[t] * d) + i];
            }
        }

        for (int layer = 0; layer < _c.LayerCount; layer++)
        {
            double[][] x = h.Select(row => RmsNorm(row, W(layer, LayerTensor.AttentionNorm))).ToArray();
            double[][] q = x.Select(row => Linear(row, W(layer, LayerTensor.Query), _c.HeadCount * hd, Bias(layer, LayerTensor.QueryBias))).ToArray();
            double[][] k = x.Select(row => Linear(row, W(layer, LayerTensor.Key), kvd, Bias(layer, LayerTensor.KeyBias))).ToArray();
            double[][] v = x.Select(row => Linear(row, W(layer, LayerTensor.Value), kvd, Bias(layer, LayerTensor.ValueBias))).ToArray();
            for (int t = 0; t < n; t++)
            {
                if (_c.QueryKeyNorm)
                {
                    NormaliseHeads(q[t], _c.HeadCount, W(layer, LayerTensor.QueryNorm));
                    NormaliseHeads(k[t], _c.KeyValueHeadCount, W(layer, LayerTensor.KeyNorm));
                }

                Rope(q[t], _c.HeadCount, t);
                Rope(k[t], _c.KeyValueHeadCount, t);
            }

            double[][] attended = Attend(q, k, v);
            for (int t = 0; t < n; t++)
            {
                double[] o = Linear(attended[t], W(layer, LayerTensor.AttentionOutput), d, null);
                for (int i = 0; i < d; i++)
                {
                    h[t][i] += o[i];
                }
            }

            for (int t = 0; t < n; t++)
            {
                double[] m = RmsNorm(h[t], W(layer, LayerTensor.MlpNorm));
                double[] gate = Linear(m, W(layer, LayerTensor.Gate), _c.IntermediateSize, null);
                double[] up = Linear(m, W(layer, LayerTensor.Up), _c.IntermediateSize, null);
                for (int i = 0; i < gate.Length; i++)
                {
                    gate[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                }

                double[] down = Linear(gate, W(layer, LayerTensor.Down), d, null);
                for (int i = 0; i < d; i++)
                {
                    h[t][i] += down[i];
                }
            }
        }

        return positions
            .Select(p => _c.ShiftLogits ? Math.Max(p - 1, 0) : p)
            .Select(row => Linear(RmsNorm(h[row], _w[_names.FinalNorm]), _w[_c.TieWordEmbeddings ? _names.Embedding : _names.Head], _c.VocabSize, null))
            .ToArray();
    }

    private float[] W(int layer, LayerTensor tensor) => _w[_names.Layer(layer, tensor)];

    private float[]? Bias(int layer, LayerTensor tensor) => _c.QkvBias ? W(layer, tensor) : null;

    private double[] RmsNorm(double[] x, float[] weight)
    {
        double meanSquare = x.Sum(v => v * v) / x.Length;
        double inverse = 1 / Math.Sqrt(meanSquare + _c.RmsNormEps);
        return x.Select((v, i) => v * inverse * weight[i]).ToArray();
    }

    // Qwen3's q_norm / k_norm: each head of the row RMS-normalised on its own, with one weight shared by the heads.
    private void NormaliseHeads(double[] x, int heads, float[] weight)
    {
        int hd = _c.HeadDim;
        for (int h = 0; h < heads; h++)
        {
            double[] normalised = RmsNorm(x[(h * hd)..((h + 1) * hd)], weight);
            normalised.CopyTo(x, h * hd);
        }
    }

    private static double[] Linear(double[] x, float[] weight, int outputs, float[]? bias)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = bias?[o] ?? 0;
            for (int i = 0; i < x.Length; i++)
            {
                sum += x[i] * weight[(o * x.Length) + i];
            }

            y[o] = sum;
        }

        return y;
    }

    private void Rope(double[] x, int heads, int position)
    {
        int hd = _c.HeadDim, half = hd / 2;
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = position / Math.Pow(_c.RopeTheta, 2.0 * i / hd);
                double a = x[(h * hd) + i], b = x[(h * hd) + i + half];
                x[(h * hd) + i] = (a * Math.Cos(angle)) - (b * Math.Sin(angle));
                x[(h * hd) + i + half] = (b * Math.Cos(angle)) + (a * Math.Sin(angle));
            }
        }
    }

    private double[][] Attend(double[][] q, double[][] k, double[][] v)
    {
        int n = q.Length, hd = _c.HeadDim, group = _c.HeadCount / _c.KeyValueHeadCount;
        var output = new double[n][];
        for (int t = 0; t < n; t++)
        {
            output[t] = new double[_c.HeadCount * hd];
            for (int h = 0; h < _c.HeadCount; h++)
            {
                int kvHead = h / group;
                var scores = new double[n];
                for (int s = 0; s < n; s++)
                {
                    if (!Visible(t, s))
                    {
                        scores[s] = double.NegativeInfinity;
                        continue;
                    }

                    double dot = 0;
                    for (int i = 0; i < hd; i++)
                    {
                        dot += q[t][(h * hd) + i] * k[s][(kvHead * hd) + i];
                    }

                    scores[s] = dot / Math.Sqrt(hd);
                }

                double max = scores.Max();
                double[] weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                double total = weights.Sum();
                for (int s = 0; s < n; s++)
                {
                    for (int i = 0; i < hd; i++)
                    {
                        output[t][(h * hd) + i] += weights[s] / total * v[s][(kvHead * hd) + i];
                    }
                }
            }
        }

        return output;
    }

    // Block-causal models: position t sees position s when s's block is not after t's; the others see everything.
    private bool Visible(int t, int s) => _c.AttentionBlockLength == 0 || s / _c.AttentionBlockLength <= t / _c.AttentionBlockLength;
}
