namespace ResourceServer;

/// <summary>
/// The token could not be checked because the IdP did not answer usefully (down, slow, or refusing this API's
/// credentials): the request is answered 503 with <c>Retry-After</c>, never 401 (the token may be fine) and never 500.
/// </summary>
public sealed class IdentityProviderUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>What the 503 asks callers to wait: long enough for a restarting IdP, short enough not to stall a retry loop.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
}
