using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// A reverse proxy on a fixed loopback port in front of one service, so the service can die and come back on another
/// port while its address stays the same, and so the test can count what crossed the wire: answers by status, token
/// requests by client and scope set, JWKS fetches. The access tokens it forwards are kept, to search the logs for them.
/// With no service behind it (<see cref="Upstream"/> null or not answering) it drops the connection, as a dead host would.
/// The Host header is passed on, so the IdP names the proxy in the URLs it publishes (token endpoint, JWKS).
/// </summary>
public sealed class CountingProxy(string name) : IAsyncDisposable
{
    private const string TokenPath = "/protocol/openid-connect/token";
    private const string JwksPath = "/protocol/openid-connect/certs";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Content-Length",
    };

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _tokenRequests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _issuedTokens = new();
    private WebApplication? _app;
    private Uri? _upstream;
    private int _jwksFetches;
    private int _inFlight;

    public string Name { get; } = name;

    /// <summary>The fixed address callers use, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Address { get; private set; } = "";

    /// <summary>The service's own address; null while it is down.</summary>
    public Uri? Upstream
    {
        get => Volatile.Read(ref _upstream);
        set => Volatile.Write(ref _upstream, value);
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>Answers by "METHOD path-kind status" (e.g. <c>POST /invoices 201</c>), and "… dropped" when nobody answered.</summary>
    public IReadOnlyDictionary<string, int> Statuses => new SortedDictionary<string, int>(_statuses, StringComparer.Ordinal);

    public int CountOf(Func<string, bool> key) => _statuses.Where(s => key(s.Key)).Sum(s => s.Value);

    /// <summary>Token requests by "client scope-set".</summary>
    public IReadOnlyDictionary<string, int> TokenRequests => new SortedDictionary<string, int>(_tokenRequests, StringComparer.Ordinal);

    public int TokenRequestsOf(string clientId, string scope) => _tokenRequests.GetValueOrDefault($"{clientId} {scope}");

    public IEnumerable<string> IssuedTokens => _issuedTokens;

    public void ResetCounts()
    {
        _statuses.Clear();
        _tokenRequests.Clear();
        Interlocked.Exchange(ref _jwksFetches, 0);
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(ForwardAsync);
        await _app.StartAsync();
        Address = _app.Urls.Single().TrimEnd('/');
    }

    /// <summary>Waits (bounded) until no request is in flight, e.g. before the old instance of a service is killed.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (InFlight > 0 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        var request = context.Request;
        var kind = KindOf(request.Path);
        try
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            if (kind == TokenPath)
            {
                _tokenRequests.AddOrUpdate(TokenRequestKey(request, body.ToArray()), 1, (_, n) => n + 1);
            }
            else if (kind == JwksPath)
            {
                Interlocked.Increment(ref _jwksFetches);
            }

            if (Upstream is not { } upstream)
            {
                Count($"{request.Method} {kind} dropped");
                context.Abort();
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(upstream, request.Path + request.QueryString));
            if (body.Length > 0 || request.ContentLength is not null)
            {
                forward.Content = new ByteArrayContent(body.ToArray());
            }

            foreach (var (header, values) in request.Headers)
            {
                if (HopByHop.Contains(header))
                {
                    continue;
                }

                if (!forward.Headers.TryAddWithoutValidation(header, (IEnumerable<string?>)values))
                {
                    forward.Content?.Headers.TryAddWithoutValidation(header, (IEnumerable<string?>)values);
                }
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            }
            catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
            {
                // The service is down or died mid-request: the caller sees a broken connection, not a made-up status.
                Count($"{request.Method} {kind} dropped");
                context.Abort();
                return;
            }

            using (response)
            {
                Count($"{request.Method} {kind} {(int)response.StatusCode}");
                context.Response.StatusCode = (int)response.StatusCode;
                CopyHeaders(response.Headers, context.Response);
                CopyHeaders(response.Content.Headers, context.Response);
                if (kind == TokenPath && response.IsSuccessStatusCode)
                {
                    var json = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
                    KeepIssuedToken(json);
                    await context.Response.Body.WriteAsync(json, context.RequestAborted);
                }
                else
                {
                    await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
                }
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (it was killed, or gave up): nothing to answer.
        }
        catch (IOException)
        {
            // The service died while its answer was streamed: the caller sees a broken connection.
            context.Abort();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Count(string key) => _statuses.AddOrUpdate(key, 1, (_, n) => n + 1);

    private void KeepIssuedToken(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.TryGetProperty("access_token", out var token) && token.GetString() is { } value)
            {
                _issuedTokens.Enqueue(value);
            }
        }
        catch (JsonException)
        {
            // Not a token response; nothing to keep.
        }
    }

    private static void CopyHeaders(HttpHeaders headers, HttpResponse response)
    {
        foreach (var (header, values) in headers)
        {
            if (!HopByHop.Contains(header))
            {
                response.Headers[header] = values.ToArray();
            }
        }
    }

    /// <summary>The path with ids folded, so counts group by endpoint: <c>/payments/{id}</c>.</summary>
    private static string KindOf(PathString path)
    {
        var value = path.Value ?? "/";
        if (value.EndsWith(TokenPath, StringComparison.Ordinal))
        {
            return TokenPath;
        }

        if (value.EndsWith(JwksPath, StringComparison.Ordinal))
        {
            return JwksPath;
        }

        var segments = value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length switch
        {
            0 => "/",
            1 => "/" + segments[0],
            _ => $"/{segments[0]}/{{id}}",
        };
    }

    /// <summary>"client scope-set": the client from Basic credentials or the form, the scopes sorted.</summary>
    private static string TokenRequestKey(HttpRequest request, byte[] body)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        var client = form.TryGetValue("client_id", out var id) ? id.ToString() : "?";
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var basic) && basic is { Scheme: "Basic", Parameter: { } encoded })
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            client = Uri.UnescapeDataString(pair[..Math.Max(0, pair.IndexOf(':'))]);
        }

        var scopes = form.TryGetValue("scope", out var scope) ? scope.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        return $"{client} {(scopes.Length == 0 ? "(default)" : string.Join(' ', scopes.Order(StringComparer.Ordinal)))}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _http.Dispose();
    }
}
