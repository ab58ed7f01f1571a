using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A small sparse ConvNet: an input-like stem from 1 channel, a sparse hidden convolution, global average pooling and a
/// readout to 4 classes. Declared here, not in the examples, so the conv kind is tested on its own.
/// </summary>
[Width(Base = 16)]
public sealed partial class TinyConvNet
{
    [Conv(In = "1", Out = "width", Kernel = 3, Padding = 1, Bias = true)]
    public partial ScaledConv Stem { get; }

    [Conv(Kernel = 3, Padding = 1, Sparsity = 0.5)]
    public partial ScaledConv Hidden { get; }

    [Readout(Out = "4")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(Stem.call(images));
        h = h + nn.functional.relu(Hidden.call(h));
        return Head.call(h.mean([2, 3])).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 8×8 one-channel images holding a bright stroke of 4 pixels on noise, at a random place; the class is the stroke's
    /// direction (horizontal, vertical, diagonal, anti-diagonal). Position does not matter, so pooling keeps the answer.
    /// Seeded by the batch number.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Batch(int number, int size = 32)
    {
        var random = new Random(1234 + number);
        var pixels = new float[size * 64];
        var labels = new long[size];
        (int Row, int Column)[] steps = [(0, 1), (1, 0), (1, 1), (1, -1)];
        for (int i = 0; i < size; i++)
        {
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = (float)(0.3 * (random.NextDouble() * 2 - 1));
            int label = random.Next(4);
            labels[i] = label;
            var (dr, dc) = steps[label];
            int row = random.Next(0, dr == 1 ? 5 : 8), column = dc == -1 ? random.Next(3, 8) : random.Next(0, dc == 1 ? 5 : 8);
            for (int k = 0; k < 4; k++) pixels[i * 64 + (row + k * dr) * 8 + column + k * dc] += 2f;
        }
        return (tensor(pixels).view(size, 1, 8, 8), tensor(labels));
    }
}
