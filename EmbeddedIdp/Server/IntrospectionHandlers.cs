using EmbeddedIdp.Realm;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Introspection (RFC 7662) as Keycloak 26 answers it: its caller checks (<c>TokenIntrospectionEndpoint.introspect</c>)
/// and its response (<c>AccessTokenIntrospectionProvider.introspect</c>): the token's claims plus <c>active</c>,
/// <c>client_id</c>, <c>username</c> and <c>token_type</c>.
/// </summary>
public static class IntrospectionHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All => [AuthorizeCallerLikeKeycloak.Descriptor, AttachKeycloakShape.Descriptor];

    /// <summary>
    /// Keycloak's <c>authorizeClient</c> turns every client-authentication failure into 401 <c>invalid_request</c>
    /// "Authentication failed."; then duplicated parameters and a missing token are 400 <c>invalid_request</c>.
    /// </summary>
    public sealed class AuthorizeCallerLikeKeycloak(RealmModel realm) : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
                .UseSingletonHandler<AuthorizeCallerLikeKeycloak>()
                .SetOrder(OpenIddictServerHandlers.Introspection.ValidateTokenParameter.Descriptor.Order - 1000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
        {
            if (ClientAuthentication.Authenticate(realm, context.Request, out _) is not ClientAuthenticationResult.Authenticated)
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "Authentication failed.", StatusCodes.Status401Unauthorized);
            }
            else if (RepeatedParameters.AnyIn(context.Request))
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "duplicated parameter", StatusCodes.Status400BadRequest);
            }
            else if (string.IsNullOrEmpty(context.Request.Token))
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "Token not provided.", StatusCodes.Status400BadRequest);
            }

            return default;
        }
    }

    /// <summary>
    /// Keycloak's active answer: the token's own claims (<c>jti</c> in its prefixed form, <c>typ</c>, <c>azp</c>,
    /// <c>preferred_username</c>, no <c>nbf</c>) plus <c>client_id</c> = <c>azp</c>, <c>username</c> = <c>preferred_username</c>
    /// and <c>token_type</c> = the token's <c>typ</c>; OpenIddict's <c>token_usage</c> is not part of it.
    /// </summary>
    public sealed class AttachKeycloakShape : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
                .UseSingletonHandler<AttachKeycloakShape>()
                // After every OpenIddict handler (and the issuer override), so nothing adds its own fields back.
                .SetOrder(int.MaxValue - 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
        {
            if (context.GenericTokenPrincipal is not { } principal)
            {
                return default;
            }

            var clientId = principal.GetClaim(Claims.AuthorizedParty);
            var username = principal.GetClaim(Claims.PreferredUsername);
            var type = principal.GetClaim(KeycloakClaims.TokenType);

            context.TokenUsage = null;
            context.NotBefore = null;
            context.TokenType = type;
            context.ClientId = clientId;
            context.Username = username;
            if (principal.GetClaim(Claims.JwtId) is { } jti)
            {
                context.TokenId = jti;
            }

            context.Claims.Clear();
            context.Claims[Claims.AuthorizedParty] = clientId;
            context.Claims[Claims.PreferredUsername] = username;
            context.Claims[KeycloakClaims.TokenType] = type;
            return default;
        }
    }
}
