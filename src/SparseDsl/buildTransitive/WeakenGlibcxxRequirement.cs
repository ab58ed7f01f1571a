// MSBuild task, compiled by RoslynCodeTaskFactory from SparseDsl.targets (no tool beyond the .NET SDK).
//
// Why: TorchSharp 0.100–0.107 ships libLibTorchSharp.so built with GCC 13. It asks libstdc++ for the symbol
// version GLIBCXX_3.4.32, which GCC 12's libstdc++ (Debian 12, Ubuntu 22.04) lacks, so the library does not
// load. Exactly one imported symbol carries that version (std::ios_base_library_init, referenced only to
// pull in iostream initialisation) and no relocation uses it. Marking the version requirement *weak*
// (VER_FLG_WEAK in its Elf64_Vernaux entry) makes glibc warn instead of refusing to load.
//
// The task rewrites copies in an output folder only (never the NuGet cache), atomically (temp file + rename,
// which also breaks any hard link to the cache), and does nothing on hosts whose libstdc++ has the version.
#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxRequirement : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Folder searched recursively for the libraries named in <see cref="LibraryNames"/>.</summary>
    [Required]
    public string Directory { get; set; } = "";

    /// <summary>File names to patch, separated by ';'.</summary>
    public string LibraryNames { get; set; } = "libLibTorchSharp.so";

    /// <summary>The symbol version to make weak.</summary>
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    /// <summary>auto: patch only when the host's libstdc++ lacks <see cref="Version"/>; always; never.</summary>
    public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (string.Equals(Mode, "never", StringComparison.OrdinalIgnoreCase) || !System.IO.Directory.Exists(Directory))
            return true;

        if (string.Equals(Mode, "auto", StringComparison.OrdinalIgnoreCase))
        {
            string? hostLib = FindHostLibStdCxx();
            if (hostLib != null && FileContains(hostLib, Version))
            {
                Log.LogMessage(MessageImportance.Low, $"SparseDsl: {hostLib} provides {Version}; TorchSharp native libraries left untouched.");
                return true;
            }
        }

        foreach (string name in LibraryNames.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, name.Trim(), SearchOption.AllDirectories))
            {
                try
                {
                    byte[] image = File.ReadAllBytes(path);
                    int changed = MarkVersionWeak(image, Version);
                    if (changed == 0)
                        continue;
                    string temp = path + ".sparsedsl-tmp";
                    File.WriteAllBytes(temp, image);
                    File.Copy(temp, path, overwrite: true);
                    File.Delete(temp);
                    Log.LogMessage(MessageImportance.Normal, $"SparseDsl: marked {Version} weak in {path} (host libstdc++ lacks it).");
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    Log.LogError($"SparseDsl: could not make {Version} weak in '{path}': {e.Message}. TorchSharp will fail to load on this host.");
                    return false;
                }
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Sets VER_FLG_WEAK on every version-need entry named <paramref name="version"/>; returns how many changed.</summary>
    private static int MarkVersionWeak(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);

            long need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int j = 0; j < count; j++)
                {
                    long nameOffset = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, nameOffset) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)(flags & 0xff);
                            elf[aux + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return changed;
    }

    private static string ReadCString(byte[] data, long offset)
    {
        long end = offset;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)offset, (int)(end - offset));
    }

    private static string? FindHostLibStdCxx()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        string? ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ldPath))
        {
            foreach (string dir in ldPath!.Split(':'))
            {
                string p = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(p)) return p;
            }
        }
        foreach (string p in candidates)
            if (File.Exists(p)) return p;
        return null;
    }

    private static bool FileContains(string path, string text)
    {
        byte[] needle = Encoding.ASCII.GetBytes(text + "\0");
        byte[] hay = File.ReadAllBytes(path);
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int k = 0;
            while (k < needle.Length && hay[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }
        return false;
    }
}
