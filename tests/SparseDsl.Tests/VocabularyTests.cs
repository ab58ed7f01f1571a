using SparseDsl.Experiments.Gpt;
using SparseDsl.Tests.Checkpoints;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests;

/// <summary>"vocab": a finite dimension sized at run time (a tokenizer's vocabulary), with the model's declared default.</summary>
public sealed class VocabularyTests
{
    [Fact]
    public void Vocab_parses_as_a_finite_dimension_that_needs_a_size()
    {
        var vocab = Dimension.Parse("vocab");
        Assert.True(vocab.IsVocabulary);
        Assert.False(vocab.ScalesWithWidth);
        Assert.Equal(Dimension.Vocabulary, vocab);
        Assert.NotEqual(Dimension.Fixed(256), vocab);
        Assert.Equal("vocab", vocab.ToString());
        Assert.Equal(50_257, vocab.Resolve(128, 50_257));
        var e = Assert.Throws<ArgumentException>(() => vocab.Resolve(128));
        Assert.Contains("[Width(Vocab = N)] or ModelOptions.Vocabulary", e.Message);
        Assert.Equal(ParameterRole.Embedding, ScalingRules.RoleOf(vocab, Dimension.OfWidth()));
        Assert.Equal(ParameterRole.Readout, ScalingRules.RoleOf(Dimension.OfWidth(), vocab));
    }

    [Fact]
    public void The_example_lm_is_bytes_by_default_and_takes_a_tokenizers_vocabulary()
    {
        using var bytes = new GptLm(64, seed: 1);
        Assert.Equal(256, bytes.Plan.Vocabulary);
        Assert.Equal([256L, 64], bytes.Embed.Weight.shape);
        Assert.Null(bytes.Recipe.Options.Vocabulary); // the default recipe is unchanged: nothing new is recorded

        var options = new ModelOptions { Vocabulary = 1_000 };
        using var model = new GptLm(64, seed: 1, options: options);
        Assert.Equal(1_000, model.Plan.Vocabulary);
        Assert.Equal([1_000L, 64], model.Embed.Weight.shape);
        using var ids = tensor(new long[] { 0, 999, 500, 3 }, [1, 4]);
        using var logits = model.forward(ids);
        Assert.Equal([1L, 4, 1_000], logits.shape);
        // Finite: the vocabulary changes no multiplier, so the scaling table is the byte model's but for the shapes.
        var rows = model.Plan.DescribeParameters().Zip(bytes.Plan.DescribeParameters());
        Assert.All(rows, pair =>
        {
            Assert.Equal(pair.Second.Name, pair.First.Name);
            Assert.Equal(pair.Second.InitStd, pair.First.InitStd);
            Assert.Equal(pair.Second.LearningRateMultiplier, pair.First.LearningRateMultiplier);
            Assert.Equal(pair.Second.ForwardMultiplier, pair.First.ForwardMultiplier);
        });
    }

    [Fact]
    public void The_vocabulary_is_part_of_the_recipe_a_checkpoint_keeps()
    {
        using var folder = new TempFolder();
        using var model = new GptLmUntied(64, seed: 3, options: new ModelOptions { Vocabulary = 777 });
        string path = folder.File("vocab.sdsl");
        Checkpoint.Save(path, new CheckpointHeader(model.Recipe, 0, "{}", DateTimeOffset.UnixEpoch), model, optimizer: null);
        var recipe = Checkpoint.ReadHeader(path).Recipe;
        Assert.Equal(777, recipe.Options.Vocabulary);
        using var rebuilt = GptLmUntied.FromRecipe(recipe);
        Checkpoint.Load(path, rebuilt, optimizer: null);
        Assert.Equal([777L, 64], rebuilt.Embed.Weight.shape);
        Assert.Equal([777L, 64], rebuilt.LmHead.Weight.shape);
    }

    [Fact]
    public void A_model_without_a_declared_vocabulary_needs_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new UnsizedVocabLm(32));
        Assert.Contains("UnsizedVocabLm.embed", e.Message);
        Assert.Contains("'vocab' has no size", e.Message);
        using var model = new UnsizedVocabLm(32, options: new ModelOptions { Vocabulary = 10 });
        Assert.Equal([10L, 32], model.Head.Weight.shape);
        Assert.ThrowsAny<ArgumentException>(() => new UnsizedVocabLm(32, options: new ModelOptions { Vocabulary = 0 }));
    }
}
