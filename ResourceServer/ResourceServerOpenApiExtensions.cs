using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using ResourceServer;

namespace Microsoft.Extensions.DependencyInjection;

public static class ResourceServerOpenApiExtensions
{
    public const string SecuritySchemeName = "oauth2";

    /// <summary>
    /// Describes the resource server in the OpenAPI document: an OAuth2 client-credentials scheme at the IdP's
    /// token URL, and on every endpoint with <c>RequireScope</c> the scope it needs plus its 401 and 403 answers.
    /// </summary>
    public static OpenApiOptions AddResourceServerSecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer<SecuritySchemeTransformer>();
        options.AddOperationTransformer<ScopeOperationTransformer>();
        return options;
    }

    private sealed class SecuritySchemeTransformer(IOptions<ResourceServerOptions> settings) : IOpenApiDocumentTransformer
    {
        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
        {
            var scopes = context.DescriptionGroups
                .SelectMany(group => group.Items)
                .SelectMany(description => description.ActionDescriptor.EndpointMetadata.OfType<ScopeRequirement>())
                .Select(requirement => requirement.Scope)
                .Distinct()
                .Order(StringComparer.Ordinal);

            // The token endpoint's place in the Keycloak URL layout, which EmbeddedIdp shares.
            var tokenUrl = new Uri($"{settings.Value.Authority!.OriginalString.TrimEnd('/')}/protocol/openid-connect/token");

            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth 2.0 client credentials (RFC 6749 §4.4); send the access token as a Bearer token.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = tokenUrl,
                        Scopes = scopes.ToDictionary(scope => scope, scope => $"The '{scope}' scope"),
                    },
                },
            };
            return Task.CompletedTask;
        }
    }

    private sealed class ScopeOperationTransformer : IOpenApiOperationTransformer
    {
        public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var scopes = context.Description.ActionDescriptor.EndpointMetadata.OfType<ScopeRequirement>().Select(r => r.Scope).ToList();
            if (scopes.Count == 0)
            {
                return Task.CompletedTask;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = scopes,
            });

            operation.Responses ??= [];
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No token, or an invalid one (WWW-Authenticate: Bearer error=\"invalid_token\")." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The token lacks the scope {string.Join(' ', scopes)} (error=\"insufficient_scope\")." });
            return Task.CompletedTask;
        }
    }
}
