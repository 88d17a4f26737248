namespace ResourceServer.Tests.Infrastructure;

/// <summary>Passes the metadata requests through and counts those for the JWKS.</summary>
public sealed class JwksRequestCounter() : DelegatingHandler(new HttpClientHandler())
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath.EndsWith("/certs", StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _count);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
