using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests;

/// <summary>
/// A <c>.http</c> file as Visual Studio, Rider and VS Code's REST Client read it: <c>@name = value</c> variables,
/// requests separated by <c>###</c>, <c># @name</c> to name one, and <c>{{…}}</c> references to variables,
/// <c>$guid</c>, <c>$processEnv NAME</c> and an earlier named request's <c>response.body.$.path</c> or <c>response.headers.Name</c>.
/// </summary>
public sealed partial class HttpFile
{
    private readonly Dictionary<string, string> _variables;

    private HttpFile(Dictionary<string, string> variables, IReadOnlyList<Request> requests)
    {
        _variables = variables;
        Requests = requests;
    }

    public IReadOnlyList<Request> Requests { get; }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    public sealed record Request(string? Name, string Title, string Method, string Url, IReadOnlyList<(string Name, string Value)> Headers, string Body);

    public sealed record Response(Request Request, HttpResponseMessage Message, string Body);

    public static HttpFile Parse(string text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var requests = new List<Request>();
        foreach (var block in Regex.Split(text.Replace("\r\n", "\n"), "^###", RegexOptions.Multiline).Select((b, i) => (Text: b, First: i == 0)))
        {
            var lines = block.Text.Split('\n');
            // The rest of a ### line is the request's title.
            var title = block.First ? "" : lines[0].Trim();
            string? name = null;
            var index = block.First ? 0 : 1;
            string? requestLine = null;
            for (; index < lines.Length; index++)
            {
                var line = lines[index].Trim();
                if (NameComment().Match(line) is { Success: true } named)
                {
                    name = named.Groups[1].Value;
                }
                else if (VariableLine().Match(line) is { Success: true } variable)
                {
                    variables[variable.Groups[1].Value] = variable.Groups[2].Value.Trim();
                }
                else if (line.Length > 0 && !line.StartsWith('#') && !line.StartsWith("//", StringComparison.Ordinal))
                {
                    requestLine = line;
                    index++;
                    break;
                }
            }

            if (requestLine is null)
            {
                continue;
            }

            var parts = requestLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var headers = new List<(string, string)>();
            for (; index < lines.Length && lines[index].Trim().Length > 0; index++)
            {
                var colon = lines[index].IndexOf(':');
                headers.Add((lines[index][..colon].Trim(), lines[index][(colon + 1)..].Trim()));
            }

            var body = string.Join('\n', lines.Skip(index)).Trim();
            requests.Add(new Request(name, title, parts[0], parts[1], headers, body));
        }

        return new HttpFile(variables, requests);
    }

    /// <summary>Replaces a file variable's value, as an editor's environment would (base URLs, for example).</summary>
    public void Set(string variable, string value)
    {
        if (!_variables.ContainsKey(variable))
        {
            throw new ArgumentException($"The file defines no variable '{variable}'.", nameof(variable));
        }

        _variables[variable] = value;
    }

    /// <summary>Sends every request in order, resolving references against the responses so far; returns each response.</summary>
    public async Task<IReadOnlyList<Response>> SendAllAsync(
        HttpClient client, IReadOnlyDictionary<string, string> processEnvironment, CancellationToken cancellationToken)
    {
        var responses = new List<Response>();
        var named = new Dictionary<string, Response>(StringComparer.Ordinal);
        foreach (var request in Requests)
        {
            string Resolve(string text) => Reference().Replace(text, match => Evaluate(match.Groups[1].Value.Trim(), named, processEnvironment, Resolve));

            using var message = new HttpRequestMessage(new HttpMethod(request.Method), Resolve(request.Url));
            string? contentType = null;
            foreach (var (name, value) in request.Headers)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = Resolve(value);
                }
                else
                {
                    message.Headers.TryAddWithoutValidation(name, Resolve(value));
                }
            }

            if (request.Body.Length > 0)
            {
                message.Content = new StringContent(Resolve(request.Body), Encoding.UTF8);
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "text/plain");
            }

            var response = await client.SendAsync(message, cancellationToken);
            var result = new Response(request, response, await response.Content.ReadAsStringAsync(cancellationToken));
            responses.Add(result);
            if (request.Name is { } requestName)
            {
                named[requestName] = result;
            }
        }

        return responses;
    }

    private string Evaluate(
        string reference, Dictionary<string, Response> named, IReadOnlyDictionary<string, string> processEnvironment, Func<string, string> resolve)
    {
        if (reference == "$guid")
        {
            return Guid.NewGuid().ToString();
        }

        if (reference.StartsWith("$processEnv ", StringComparison.Ordinal))
        {
            var variable = reference["$processEnv ".Length..].Trim();
            return processEnvironment.TryGetValue(variable, out var value)
                ? value
                : throw new InvalidOperationException($"No process environment variable '{variable}'.");
        }

        if (_variables.TryGetValue(reference, out var fileVariable))
        {
            return resolve(fileVariable);
        }

        // {{request.response.body.$.a.b}} or {{request.response.headers.Name}}
        var parts = reference.Split('.', 4);
        if (parts.Length == 4 && parts[1] == "response" && named.TryGetValue(parts[0], out var response))
        {
            return parts[2] switch
            {
                "headers" => response.Message.Headers.TryGetValues(parts[3], out var values)
                    || response.Message.Content.Headers.TryGetValues(parts[3], out values)
                    ? string.Join(", ", values)
                    : throw new InvalidOperationException($"{parts[0]}'s response has no header {parts[3]}."),
                "body" => JsonPath(response.Body, parts[3]),
                _ => throw new InvalidOperationException($"Unknown reference {reference}."),
            };
        }

        throw new InvalidOperationException($"Unresolved reference {{{{{reference}}}}}.");
    }

    private static string JsonPath(string json, string path)
    {
        var element = JsonDocument.Parse(json).RootElement;
        foreach (var segment in path.Split('.').SkipWhile(segment => segment == "$"))
        {
            element = element.GetProperty(segment);
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
    }

    [GeneratedRegex(@"^(?:#|//)\s*@name\s+(\S+)$")]
    private static partial Regex NameComment();

    [GeneratedRegex(@"^@([A-Za-z_][\w-]*)\s*=\s*(.*)$")]
    private static partial Regex VariableLine();

    [GeneratedRegex(@"\{\{(.+?)\}\}")]
    private static partial Regex Reference();
}
