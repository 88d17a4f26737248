namespace TokenClient;

public static class TokenRequestExtensions
{
    internal static readonly HttpRequestOptionsKey<string> ScopeOption = new("TokenClient.Scope");

    /// <summary>
    /// This request needs a token for <paramref name="scope"/> instead of the handler's default: one HttpClient,
    /// least privilege per call (a read goes out with a read token, a write with a write token).
    /// </summary>
    public static HttpRequestMessage SetTokenScope(this HttpRequestMessage request, string scope)
    {
        request.Options.Set(ScopeOption, scope);
        return request;
    }
}
