using System.Collections.Immutable;
using System.Security.Claims;
using EmbeddedIdp.Realm;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>The client-credentials grant with Keycloak's rules: which scopes a client gets, and what its token says.</summary>
public static class TokenRequestHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [
            RejectRepeatedParameters.Descriptor, RejectKeycloakOnlyGrants.Descriptor, RequireClientAuthentication.Descriptor,
            ValidateRealmScopes.Descriptor, IssueServiceAccountToken.Descriptor, AttachKeycloakResponseParameters.Descriptor,
        ];

    /// <summary>RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."</summary>
    public sealed class RejectRepeatedParameters : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<RejectRepeatedParameters>()
                .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantType.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            foreach (var (name, value) in context.Request.GetParameters())
            {
                // Keycloak's token exchange takes several audience (and resource) values; every other parameter is single.
                if (context.Request.IsTokenExchangeGrantType() && name is Parameters.Audience or Parameters.Resource)
                {
                    continue;
                }

                if (value.GetRawValue() is ImmutableArray<string?> { Length: > 1 })
                {
                    context.Reject(Errors.InvalidRequest, $"The '{name}' parameter must not be repeated.");
                    return default;
                }
            }

            return default;
        }
    }

    /// <summary>
    /// Grants Keycloak knows but no client of this realm can use get Keycloak's answers, not <c>unsupported_grant_type</c>:
    /// there is no code or refresh token to redeem (<c>invalid_grant</c>), and password grants are off for every client.
    /// </summary>
    public sealed class RejectKeycloakOnlyGrants : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<RejectKeycloakOnlyGrants>()
                .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantType.Descriptor.Order - 250)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            switch (context.Request.GrantType)
            {
                case GrantTypes.AuthorizationCode:
                    context.Reject(Errors.InvalidGrant, "Code not valid");
                    break;
                case GrantTypes.RefreshToken:
                    context.Reject(Errors.InvalidGrant, "Invalid refresh token");
                    break;
                case GrantTypes.Password:
                    context.Reject(Errors.UnauthorizedClient, "Client not allowed for direct access grants");
                    break;
            }

            return default;
        }
    }

    /// <summary>RFC 6749 §5.2: no client authentication at all is <c>invalid_client</c> (OpenIddict says <c>invalid_request</c>).</summary>
    public sealed class RequireClientAuthentication : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<RequireClientAuthentication>()
                .SetOrder(OpenIddictServerHandlers.Exchange.ValidateClientIdParameter.Descriptor.Order - 100)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (string.IsNullOrEmpty(context.ClientId))
            {
                context.Reject(Errors.InvalidClient, "Missing client_id parameter");
            }

            return default;
        }
    }

    /// <summary>
    /// Runs right after client authentication (so a bad secret is reported before a bad scope, as in Keycloak):
    /// only the client's default and optional scopes may be requested, else <c>invalid_scope</c>.
    /// </summary>
    public sealed class ValidateRealmScopes(RealmModel realm) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<ValidateRealmScopes>()
                .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (!context.Request.IsClientCredentialsGrantType())
            {
                return default; // the token exchange has its own rules (TokenExchangeHandlers)
            }

            if (realm.FindClient(context.ClientId) is not { } client)
            {
                context.Reject(Errors.InvalidClient, "Invalid client or Invalid client credentials");
                return default;
            }

            if (!client.ServiceAccountsEnabled)
            {
                context.Reject(Errors.UnauthorizedClient, "Client not enabled to retrieve service account");
                return default;
            }

            var requested = context.Request.GetScopes();
            if (requested.Any(scope => !client.DefaultScopes.Contains(scope) && !client.OptionalScopes.Contains(scope)))
            {
                context.Reject(Errors.InvalidScope, $"Invalid scopes: {context.Request.Scope}");
            }

            return default;
        }
    }

    /// <summary>Builds the service account's principal: the claims of a Keycloak 26 client-credentials token.</summary>
    public sealed class IssueServiceAccountToken(RealmModel realm) : IOpenIddictServerHandler<HandleTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
                .UseSingletonHandler<IssueServiceAccountToken>()
                .SetOrder(OpenIddictServerHandlers.Exchange.AttachPrincipal.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleTokenRequestContext context)
        {
            if (!context.Request.IsClientCredentialsGrantType() || realm.FindClient(context.Request.ClientId) is not { } client)
            {
                return default;
            }

            // Default scopes always, optional ones only on request (the validation handler rejected anything else).
            var granted = client.DefaultScopes.Union(context.Request.GetScopes().Where(client.OptionalScopes.Contains))
                .Select(name => realm.Scopes[name])
                .ToList();

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.PreferredUsername, Claims.Role);
            identity.SetClaim(Claims.Subject, client.ServiceAccountUserId)
                .SetClaim(KeycloakClaims.TokenType, "Bearer")
                .SetClaim(Claims.AuthorizedParty, client.ClientId)
                .SetClaim(Claims.ClientId, client.ClientId)
                .SetClaim(Claims.PreferredUsername, client.ServiceAccountUsername);
            identity.SetScopes(granted.Where(s => s.IncludeInTokenScope).Select(s => s.Name));
            identity.SetAudiences(granted.SelectMany(s => s.Audiences).Distinct(StringComparer.Ordinal));
            identity.SetPresenters(client.ClientId);
            identity.SetAccessTokenLifetime(client.AccessTokenLifespan ?? realm.AccessTokenLifespan);
            identity.SetDestinations(static _ => [Destinations.AccessToken]);

            context.SignIn(new ClaimsPrincipal(identity));
            return default;
        }
    }

    /// <summary>Keycloak's token response: <c>scope</c> always, <c>expires_in</c> = exp − iat, no refresh token.</summary>
    public sealed class AttachKeycloakResponseParameters : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<AttachKeycloakResponseParameters>()
                .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            // A token exchange's token is OpenIddict's "issued token" (RFC 8693), returned as access_token.
            if (context.EndpointType is not OpenIddictServerEndpointType.Token || (context.AccessTokenPrincipal ?? context.IssuedTokenPrincipal) is not { } principal)
            {
                return default;
            }

            var (issuedAt, expiresAt) = KeycloakClaims.Lifetime(principal);
            context.Response.ExpiresIn = expiresAt - issuedAt;
            context.Response.Scope = string.Join(' ', principal.GetScopes());
            context.Response["refresh_expires_in"] = 0;
            context.Response["not-before-policy"] = 0;
            return default;
        }
    }
}
