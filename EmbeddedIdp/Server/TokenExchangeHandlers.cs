using System.Security.Claims;
using EmbeddedIdp.Realm;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Keycloak 26's standard token exchange (RFC 8693, "token-exchange-standard:v2"), read from its
/// <c>StandardTokenExchangeProvider</c>: a confidential client with <c>standard.token.exchange.enabled</c> trades an
/// access token that names it in <c>aud</c> for its own token. The new token keeps the subject's <c>sub</c>, names the
/// requester in <c>azp</c>, and gets the requester's scopes (defaults, plus optional ones on request) and their
/// audiences, optionally narrowed by <c>audience</c>. Checks and answers come in Keycloak's order, after client authentication.
/// </summary>
public static class TokenExchangeHandlers
{
    public const string AccessTokenType = TokenTypeIdentifiers.AccessToken;

    /// <summary>Where the validate step leaves the grant for the handle step.</summary>
    private const string GrantProperty = ".m2m_token_exchange_grant";

    /// <summary>OpenIddict's own token-exchange checks answer differently (and before client authentication): ours replace them.</summary>
    public static IEnumerable<OpenIddictServerHandlerDescriptor> Replaced =>
        [
            OpenIddictServerHandlers.Exchange.ValidateTokenExchangeParameters.Descriptor,
            OpenIddictServerHandlers.Exchange.ValidateAudienceParameter.Descriptor,
            OpenIddictServerHandlers.Exchange.ValidateAudiences.Descriptor,
            OpenIddictServerHandlers.Exchange.ValidateAudiencePermissions.Descriptor,
        ];

    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [
            LeaveSubjectTokenToExchange.Descriptor, ValidateStandardTokenExchange.Descriptor, IssueExchangedToken.Descriptor,
            DropClientIdClaim.Descriptor, AttachIssuedTokenType.Descriptor,
        ];

    /// <summary>The subject token is validated by <see cref="ValidateStandardTokenExchange"/> (Keycloak's error, Keycloak's moment), not by OpenIddict.</summary>
    public sealed class LeaveSubjectTokenToExchange : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
                .UseSingletonHandler<LeaveSubjectTokenToExchange>()
                .SetOrder(OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            if (context.EndpointType is OpenIddictServerEndpointType.Token && context.Request.IsTokenExchangeGrantType())
            {
                (context.ExtractSubjectToken, context.RequireSubjectToken, context.ValidateSubjectToken, context.RejectSubjectToken) = (false, false, false, false);
                // Keycloak 26.8 ignores actor_token: delegation is the separate, disabled preview "token-exchange-delegation".
                (context.ExtractActorToken, context.RequireActorToken, context.ValidateActorToken, context.RejectActorToken) = (false, false, false, false);
            }

            return default;
        }
    }

    /// <summary>Every refusal of <c>StandardTokenExchangeProvider</c>, in its order, with its error and description.</summary>
    public sealed class ValidateStandardTokenExchange(RealmModel realm, SubjectTokenValidator subjects) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseScopedHandler<ValidateStandardTokenExchange>()
                // After client authentication (a bad secret is reported first), before OpenIddict's permission checks.
                .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 400)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            var request = context.Request;
            if (!request.IsTokenExchangeGrantType())
            {
                return;
            }

            if (realm.FindClient(context.ClientId) is not { Enabled: true } requester)
            {
                KeycloakStatus.Reject(context, Errors.UnauthorizedClient, "Invalid client or Invalid client credentials", StatusCodes.Status401Unauthorized);
                return;
            }

            // StandardTokenExchangeProvider.supports(): parameters of the other exchange kinds, the client switch, the subject.
            foreach (var parameter in (string[])["requested_subject", "requested_issuer", "subject_issuer"])
            {
                if (!string.IsNullOrEmpty((string?)request.GetParameter(parameter)))
                {
                    context.Reject(Errors.InvalidRequest, $"Parameter '{parameter}' is not supported for standard token exchange");
                    return;
                }
            }

            if (!requester.StandardTokenExchangeEnabled)
            {
                context.Reject(Errors.InvalidRequest, "Standard token exchange is not enabled for the requested client");
                return;
            }

            var subjectToken = (string?)request.GetParameter(Parameters.SubjectToken);
            var subjectTokenType = (string?)request.GetParameter(Parameters.SubjectTokenType);
            if (string.IsNullOrEmpty(subjectToken))
            {
                context.Reject(Errors.InvalidRequest, "Parameter 'subject_token' required for standard token exchange");
                return;
            }

            if (string.IsNullOrEmpty(subjectTokenType))
            {
                context.Reject(Errors.InvalidRequest, "Parameter 'subject_token_type' required for standard token exchange");
                return;
            }

            if (subjectTokenType != AccessTokenType)
            {
                context.Reject(Errors.InvalidRequest, "Parameter 'subject_token' supports access tokens only");
                return;
            }

            // Bad signature, other issuer, expired, revoked: Keycloak says the same for all of them.
            if (await subjects.ValidateAsync(subjectToken, context.BaseUri, context.CancellationToken) is not { } subject)
            {
                context.Reject(Errors.InvalidRequest, "Invalid token");
                return;
            }

            // Only access tokens: Keycloak's ID-token answer needs an OpenID session, and refresh tokens are off for every client.
            if ((string?)request.GetParameter(Parameters.RequestedTokenType) is { Length: > 0 } requestedType && requestedType != AccessTokenType)
            {
                context.Reject(Errors.InvalidRequest, "requested_token_type unsupported");
                return;
            }

            var audiences = Values(request.GetParameter(Parameters.Audience));
            foreach (var audience in audiences)
            {
                switch (realm.FindClient(audience))
                {
                    case null:
                        KeycloakStatus.Reject(context, Errors.InvalidClient, "Audience not found", StatusCodes.Status400BadRequest);
                        return;
                    case { Enabled: false }:
                        KeycloakStatus.Reject(context, Errors.InvalidClient, "Client disabled", StatusCodes.Status400BadRequest);
                        return;
                }
            }

            // The subject must be meant for the requester, unless the requester exchanges its own token.
            if (subject.FindFirst(Claims.AuthorizedParty)?.Value != requester.ClientId
                && !subject.FindAll(Claims.Audience).Any(aud => aud.Value == requester.ClientId))
            {
                KeycloakStatus.Reject(context, Errors.AccessDenied, "Client is not within the token audience", StatusCodes.Status403Forbidden);
                return;
            }

            var requested = request.GetScopes();
            if (requested.Any(scope => !requester.DefaultScopes.Contains(scope) && !requester.OptionalScopes.Contains(scope)))
            {
                context.Reject(Errors.InvalidScope, $"Invalid scopes: {request.Scope}");
                return;
            }

            var granted = requester.DefaultScopes.Union(requested.Where(requester.OptionalScopes.Contains)).Select(name => realm.Scopes[name]).ToList();
            var tokenAudiences = granted.SelectMany(s => s.Audiences).Distinct(StringComparer.Ordinal).ToList();
            if (audiences.Count > 0)
            {
                // "audience" only narrows: it never adds an audience the requester's scopes do not give.
                var missing = audiences.Where(a => !tokenAudiences.Contains(a)).ToList();
                if (missing.Count > 0)
                {
                    context.Reject(Errors.InvalidRequest, $"Requested audience not available: {string.Join(", ", missing)}");
                    return;
                }

                tokenAudiences = tokenAudiences.Where(audiences.Contains).ToList();
            }

            context.Transaction.Properties[GrantProperty] = new ExchangeGrant(requester, subject, granted, tokenAudiences);
        }

        private static List<string> Values(OpenIddictParameter? parameter) =>
            ((StringValues?)parameter ?? StringValues.Empty).OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The exchanged token: the subject's <c>sub</c> (and username), the requester as <c>azp</c>, the requester's lifetime.</summary>
    public sealed class IssueExchangedToken(RealmModel realm) : IOpenIddictServerHandler<HandleTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
                .UseSingletonHandler<IssueExchangedToken>()
                .SetOrder(OpenIddictServerHandlers.Exchange.AttachPrincipal.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleTokenRequestContext context)
        {
            if (!context.Request.IsTokenExchangeGrantType()
                || !context.Transaction.Properties.TryGetValue(GrantProperty, out var value) || value is not ExchangeGrant grant)
            {
                return default;
            }

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.PreferredUsername, Claims.Role);
            identity.SetClaim(Claims.Subject, grant.Subject.FindFirst(Claims.Subject)?.Value)
                .SetClaim(KeycloakClaims.TokenType, "Bearer")
                .SetClaim(Claims.AuthorizedParty, grant.Requester.ClientId);
            // The requester's service_account scope maps the *user's* username; its client_id note exists only in a
            // client-credentials session, and an exchange's transient session has none, so no client_id claim.
            if (grant.Scopes.Any(s => s.Name == "service_account"))
            {
                identity.SetClaim(Claims.PreferredUsername, grant.Subject.FindFirst(Claims.PreferredUsername)?.Value);
            }

            identity.SetScopes(grant.Scopes.Where(s => s.IncludeInTokenScope).Select(s => s.Name));
            identity.SetAudiences(grant.Audiences);
            identity.SetPresenters(grant.Requester.ClientId);
            // The requester's lifespan from now, not the subject's expiry (Keycloak's transient session has no cap).
            identity.SetAccessTokenLifetime(grant.Requester.AccessTokenLifespan ?? realm.AccessTokenLifespan);
            identity.SetDestinations(static _ => [Destinations.AccessToken]);

            context.SignIn(new ClaimsPrincipal(identity));
            return default;
        }
    }

    /// <summary>
    /// OpenIddict stamps the requester's <c>client_id</c> on the issued token; Keycloak's exchanged token has none (the
    /// claim comes from a note only a client-credentials session carries), so it is removed again.
    /// </summary>
    public sealed class DropClientIdClaim : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<DropClientIdClaim>()
                .SetOrder(OpenIddictServerHandlers.PrepareIssuedTokenPrincipal.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.Request.IsTokenExchangeGrantType() && context.IssuedTokenPrincipal is { } principal)
            {
                principal.RemoveClaims(Claims.ClientId);
            }

            return default;
        }
    }

    /// <summary>RFC 8693 §2.2.1: the response names the type of token issued (set last, so no earlier handler clears it).</summary>
    public sealed class AttachIssuedTokenType : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<AttachIssuedTokenType>()
                .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyTokenResponseContext>.Descriptor.Order - 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (context.Request?.IsTokenExchangeGrantType() == true && string.IsNullOrEmpty(context.Error)
                && !string.IsNullOrEmpty(context.Response.AccessToken))
            {
                context.Response.IssuedTokenType = AccessTokenType;
            }

            return default;
        }
    }

    private sealed record ExchangeGrant(RealmClient Requester, ClaimsIdentity Subject, IReadOnlyList<RealmScope> Scopes, IReadOnlyList<string> Audiences);
}
