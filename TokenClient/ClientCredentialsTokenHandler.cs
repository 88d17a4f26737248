using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace TokenClient;

/// <summary>
/// Puts a client-credentials token on every outgoing request. On 401 <c>invalid_token</c> it replaces the token
/// and replays the request once, if the request can be replayed. Without a token the request is never sent:
/// <see cref="TokenAcquisitionException"/> is thrown instead.
/// A request can ask for another scope set than the handler's with <see cref="TokenRequestExtensions.SetTokenScope"/>.
/// A token never travels in clear: a request to an <c>http://</c> address is refused unless <paramref name="allowHttp"/>
/// (Development only, see <see cref="TokenClientOptions.RequireHttps"/>).
/// </summary>
public sealed partial class ClientCredentialsTokenHandler(
    ClientCredentialsTokenManager tokens,
    TokenClientTelemetry telemetry,
    string clientName,
    string? defaultScope,
    bool allowHttp = false) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        PlainHttpGuard.EnsureAllowed(request, clientName, allowHttp);

        var scope = request.Options.TryGetValue(TokenRequestExtensions.ScopeOption, out var requested) ? requested : defaultScope;
        var token = await tokens.GetTokenAsync(clientName, scope, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken);

        if (response.StatusCode != HttpStatusCode.Unauthorized || !IsInvalidToken(response) || !CanReplay(request))
        {
            return response;
        }

        response.Dispose();
        telemetry.Retried(clientName);
        var renewed = await tokens.RenewTokenAsync(clientName, scope, token, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", renewed.Value);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>RFC 6750 §3.1: only <c>invalid_token</c> says a new token may help; insufficient_scope or no error would not.</summary>
    internal static bool IsInvalidToken(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Any(challenge =>
            challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            && challenge.Parameter is { } parameter
            && InvalidTokenError().IsMatch(parameter));

    /// <summary>Buffered or re-serializable content can be sent twice; a stream cannot.</summary>
    private static bool CanReplay(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;

    [GeneratedRegex("""(^|[\s,])error\s*=\s*"?invalid_token"?""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InvalidTokenError();
}
