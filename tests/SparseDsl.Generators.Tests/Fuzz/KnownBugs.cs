namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Generator bugs the fuzz test draws on knowingly: a drawer that hits one sets its class's <c>KnownBug</c> to an entry
/// here, the test expects what the generator does today, and fails once a fix makes the entry stale. None is open: the
/// four found when the test was widened (an explicit null optional dimension refused; keyword, generated-member and
/// state-name clashes generating code that did not compile) are fixed and the drawers now expect the right result
/// (SDSL014 for the clashes).
/// </summary>
internal static class KnownBugs
{
}
