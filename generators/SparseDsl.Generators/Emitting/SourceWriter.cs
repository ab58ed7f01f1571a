using System.Text;

namespace SparseDsl.Generators.Emitting;

/// <summary>A small indenting writer: one line at a time, braces open and close blocks.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace at the current indent, then indents.</summary>
    public SourceWriter Open(string header)
    {
        int braceIndent = _indent;
        Line(header);
        _builder.Append(' ', braceIndent * 4).Append("{\n");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
