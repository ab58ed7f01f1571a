using static TorchSharp.torch;

namespace SparseDsl.Tests.Vision;

/// <summary><see cref="Classification.Evaluate"/> sums loss and correct answers over batches of different sizes.</summary>
public sealed class ClassificationTests
{
    [Fact]
    public void Loss_and_accuracy_are_means_over_examples_not_batches()
    {
        using var identity = nn.Identity(); // the inputs are the logits
        // Batch 1: three examples, two right. Batch 2: one example, wrong.
        var batches = new List<(Tensor, Tensor)>
        {
            (tensor(new float[,] { { 2, 0 }, { 0, 2 }, { 2, 0 } }), tensor(new long[] { 0, 1, 1 })),
            (tensor(new float[,] { { 0, 3 } }), tensor(new long[] { 0 })),
        };
        double right = Math.Log(1 + Math.Exp(-2)), wrong2 = Math.Log(1 + Math.Exp(2)), wrong3 = Math.Log(1 + Math.Exp(3));
        var result = Classification.Evaluate(identity, batches);
        Assert.Equal(4, result.Count);
        Assert.Equal(0.5, result.Accuracy);
        Assert.Equal((2 * right + wrong2 + wrong3) / 4, result.Loss, 5);
        Assert.True(identity.training, "the model's training flag is restored");
    }

    [Fact]
    public void No_examples_is_an_error() =>
        Assert.Throws<ArgumentException>(() => Classification.Evaluate(nn.Identity(), []));
}
