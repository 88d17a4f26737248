using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// Every console line of every process and every OTLP payload (spans, logs, metrics) the services exported, kept so
/// a test can prove that no token, client secret or Authorization value reached any of them.
/// </summary>
public sealed partial class LogCapture
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<(string Signal, byte[] Payload)> _exports = new();

    public int LineCount => _lines.Count;

    public int ExportCount => _exports.Count;

    public IEnumerable<string> Lines => _lines;

    public void AddLine(string source, string line) => _lines.Enqueue($"[{source}] {line}");

    /// <summary>An OTLP/HTTP protobuf body; strings are stored as UTF-8 in protobuf, so they can be searched as bytes.</summary>
    public void AddExport(string signal, byte[] payload, bool gzip)
    {
        if (gzip)
        {
            using var unzip = new GZipStream(new MemoryStream(payload), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            unzip.CopyTo(plain);
            payload = plain.ToArray();
        }

        _exports.Enqueue((signal, payload));
    }

    public int ExportsOf(string signal) => _exports.Count(e => e.Signal == signal);

    /// <summary>
    /// Where a secret appears: a JWT (three base64url segments, the first two JSON objects), any of the
    /// <paramref name="secrets"/> (client secrets, issued tokens, Basic credentials), or a Bearer/Basic credential value.
    /// </summary>
    public IReadOnlyList<string> FindSecrets(IEnumerable<string> secrets)
    {
        var known = secrets.Where(s => s.Length >= 8).Distinct(StringComparer.Ordinal).ToList();
        var found = new List<string>();
        foreach (var line in _lines)
        {
            Check(line, "log line");
        }

        foreach (var (signal, payload) in _exports)
        {
            // Latin-1 maps every byte to one char, so an ASCII secret inside the protobuf reads as itself.
            Check(Encoding.Latin1.GetString(payload), $"OTLP {signal}");
        }

        return found;

        void Check(string text, string where)
        {
            if (Jwt().Match(text) is { Success: true } jwt)
            {
                found.Add($"{where}: a JWT ({Redact(jwt.Value)}) after \"{Before(text, jwt.Index)}\"");
            }

            if (Credential().Match(text) is { Success: true } credential)
            {
                found.Add($"{where}: an Authorization value ({Redact(credential.Value)}) after \"{Before(text, credential.Index)}\"");
            }

            foreach (var secret in known.Where(s => text.Contains(s, StringComparison.Ordinal)))
            {
                found.Add($"{where}: a known secret or token ({Redact(secret)}) after \"{Before(text, text.IndexOf(secret, StringComparison.Ordinal))}\"");
            }
        }
    }

    /// <summary>What stands before a find (printable characters only), to tell which log wrote it.</summary>
    private static string Before(string text, int index)
    {
        var start = Math.Max(0, index - 120);
        return new string([.. text[start..index].Select(c => c is >= ' ' and <= '~' ? c : '.')]);
    }

    /// <summary>Enough to find it in the output, not enough to use it.</summary>
    private static string Redact(string value) => value.Length <= 12 ? "…" : value[..6] + "…";

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}")]
    private static partial Regex Credential();
}
