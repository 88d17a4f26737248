using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace M2MDemo.Benchmarks;

/// <summary>
/// Measurement 3: sits between Payments.Api and EmbeddedIdp as Payments' token endpoint, forwards every request
/// unchanged and counts them per requested scope set, and separately those the caller gave up on before the answer
/// (a client-side timeout, then a retry). Token exchanges are counted apart, as "SCOPES (exchange)". <c>GET /counts</c> reads the counts and when the last request arrived
/// (Unix milliseconds: the script times the token rollover from it), <c>POST /counts/reset</c> clears the counts.
/// </summary>
internal static class CountingTokenProxy
{
    public static async Task<int> RunAsync(int port, Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var abandoned = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        long lastRequestAt = 0;
        using var http = new HttpClient { BaseAddress = upstream, Timeout = TimeSpan.FromSeconds(30) };

        app.MapGet("/counts", () => TypedResults.Ok(new
        {
            scopeSets = new SortedDictionary<string, int>(counts, StringComparer.Ordinal),
            abandoned = new SortedDictionary<string, int>(abandoned, StringComparer.Ordinal),
            lastRequestAt = Interlocked.Read(ref lastRequestAt),
        }));
        app.MapPost("/counts/reset", () =>
        {
            counts.Clear();
            abandoned.Clear();
            return TypedResults.NoContent();
        });
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            var scopes = form.TryGetValue("scope", out var scope) ? scope.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            var scopeSet = scopes.Length == 0 ? "(default scopes)" : string.Join(' ', scopes.Order(StringComparer.Ordinal));
            // Measurement 7 tells token exchanges (RFC 8693) from client-credentials requests.
            if (form.TryGetValue("grant_type", out var grant) && grant == "urn:ietf:params:oauth:grant-type:token-exchange")
            {
                scopeSet += " (exchange)";
            }

            counts.AddOrUpdate(scopeSet, 1, (_, n) => n + 1);
            Interlocked.Exchange(ref lastRequestAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

            using var forward = new HttpRequestMessage(HttpMethod.Post, context.Request.Path + context.Request.QueryString)
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            forward.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
            if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                forward.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
            }

            using var response = await http.SendAsync(forward);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await response.Content.CopyToAsync(context.Response.Body);
            if (context.RequestAborted.IsCancellationRequested)
            {
                abandoned.AddOrUpdate(scopeSet, 1, (_, n) => n + 1);
            }
        });

        await app.RunAsync();
        return 0;
    }
}
