using System.Net;
using System.Text;

namespace TokenClient.Tests;

/// <summary>
/// A token endpoint in memory for the unit tests: answers with numbered tokens, counts requests, and can hold
/// its answers back (<see cref="Hold"/>) so concurrent callers pile up on a cold cache.
/// </summary>
public sealed class StubTokenEndpoint : HttpMessageHandler
{
    private int _requestCount;
    private TaskCompletionSource _release = CompletedSource();

    public int RequestCount => Volatile.Read(ref _requestCount);

    public int ExpiresIn { get; set; } = 300;

    /// <summary>Send <c>expires_in</c> as a JSON string, as some IdPs do.</summary>
    public bool ExpiresInAsString { get; set; }

    /// <summary>When set, the next answers are this status and RFC 6749 error instead of a token.</summary>
    public (HttpStatusCode Status, string Error, string Description)? Failure { get; set; }

    public HttpRequestMessage? LastRequest { get; private set; }

    public string? LastBody { get; private set; }

    public TaskCompletionSource FirstRequestReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _requestCount);
        LastRequest = request;
        LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        FirstRequestReceived.TrySetResult();
        await _release.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        if (Failure is { } failure)
        {
            return Json(failure.Status, $$"""{"error":"{{failure.Error}}","error_description":"{{failure.Description}}"}""");
        }

        var expiresIn = ExpiresIn <= 0 ? ""
            : ExpiresInAsString ? $",\"expires_in\":\"{ExpiresIn}\"" : $",\"expires_in\":{ExpiresIn}";
        return Json(HttpStatusCode.OK, $$"""{"access_token":"token-{{number}}","token_type":"Bearer"{{expiresIn}}}""");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
