namespace TokenClient;

/// <summary>A bearer token is a password for its lifetime (RFC 6750 §5.3): it never goes to an <c>http://</c> address unless allowed.</summary>
internal static class PlainHttpGuard
{
    /// <summary>Throws before anything is sent when <paramref name="request"/> is not https and http is not allowed (Development only).</summary>
    public static void EnsureAllowed(HttpRequestMessage request, string clientName, bool allowHttp)
    {
        if (request.RequestUri is not { Scheme: "https" } && !allowHttp)
        {
            throw new InvalidOperationException(
                $"Token client '{clientName}' refuses to send its token to {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: "
                + "https is required (http is allowed only in Development).");
        }
    }
}
