using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace TokenClient;

/// <summary>
/// Puts a token on every outgoing request that acts for the caller of the request being served: the caller's access
/// token is exchanged (RFC 8693) for one narrowed to this call's scope and audience. The caller's token itself goes
/// only to the IdP, never to the downstream API. Without a caller token the request is refused, or, when so configured
/// (<see cref="SubjectTokenMissing.UseClientCredentials"/>), carries the same client's own client-credentials token.
/// Never sent without a token, and never to an <c>http://</c> address unless <paramref name="allowHttp"/> (Development only).
/// </summary>
public sealed class TokenExchangeHandler(
    TokenExchangeManager exchanges,
    ClientCredentialsTokenManager clientCredentials,
    IncomingAccessToken incoming,
    TokenClientTelemetry telemetry,
    string clientName,
    string? defaultScope,
    string? audience,
    SubjectTokenMissing whenMissing,
    bool allowHttp = false) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { Scheme: "https" } && !allowHttp)
        {
            // The exchanged token acts for the caller: in clear, anyone on the path could replay it (RFC 6750 §5.3).
            throw new InvalidOperationException(
                $"Token client '{clientName}' refuses to send its token to {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: "
                + "https is required (http is allowed only in Development).");
        }

        var scope = request.Options.TryGetValue(TokenRequestExtensions.ScopeOption, out var requested) ? requested : defaultScope;
        var subject = incoming.Current;
        if (subject is null)
        {
            if (whenMissing != SubjectTokenMissing.UseClientCredentials)
            {
                throw new TokenAcquisitionException(clientName, null, null, null,
                    $"Client '{clientName}' exchanges the caller's token, and this request has no caller token; it was not sent.");
            }

            // The service acting on its own authority (e.g. an outbox retry): the client-credentials handler's behaviour.
            var own = await clientCredentials.GetTokenAsync(clientName, scope, cancellationToken);
            return await SendWithRetryAsync(request, own, renewed => clientCredentials.RenewTokenAsync(clientName, scope, renewed, cancellationToken), cancellationToken);
        }

        var token = await exchanges.ExchangeAsync(clientName, subject, scope, audience, cancellationToken);
        return await SendWithRetryAsync(request, token, rejected => exchanges.RenewAsync(clientName, subject, scope, audience, rejected, cancellationToken), cancellationToken);
    }

    /// <summary>As <see cref="ClientCredentialsTokenHandler"/>: one replay with a new token after 401 <c>invalid_token</c>, if the body allows it.</summary>
    private async Task<HttpResponseMessage> SendWithRetryAsync(
        HttpRequestMessage request, AccessToken token, Func<AccessToken, Task<AccessToken>> renew, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !ClientCredentialsTokenHandler.IsInvalidToken(response)
            || request.Content is not (null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent))
        {
            return response;
        }

        response.Dispose();
        telemetry.Retried(clientName);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await renew(token)).Value);
        return await base.SendAsync(request, cancellationToken);
    }
}
