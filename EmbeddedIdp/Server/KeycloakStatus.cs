using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Keycloak pairs some errors with a status OpenIddict would not choose (401 <c>unauthorized_client</c> for a wrong
/// secret, 401 <c>invalid_request</c> for a failed introspection login). A handler rejects with
/// <see cref="Reject"/>; <see cref="ApplyStatus{TContext}"/> then overrides the status OpenIddict derived from the error.
/// </summary>
public static class KeycloakStatus
{
    private const string Property = "m2m:keycloak-status";

    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [ApplyStatus<ApplyTokenResponseContext>.Descriptor, ApplyStatus<ApplyIntrospectionResponseContext>.Descriptor,
         ApplyStatus<ApplyRevocationResponseContext>.Descriptor, DropChallenge.Descriptor];

    /// <summary>Rejects the request with Keycloak's error, description and status.</summary>
    public static void Reject(BaseValidatingContext context, string error, string description, int status)
    {
        context.Transaction.Properties[Property] = status;
        context.Reject(error, description);
    }

    public sealed class ApplyStatus<TContext> : IOpenIddictServerHandler<TContext> where TContext : BaseRequestContext
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
                .UseSingletonHandler<ApplyStatus<TContext>>()
                // Right after OpenIddict chose a status from the error code, before the body is written.
                .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<TContext>.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(TContext context)
        {
            if (context.Transaction.Properties.TryGetValue(Property, out var status) && status is int code
                && context.Transaction.GetHttpRequest()?.HttpContext.Response is { } response)
            {
                response.StatusCode = code;
            }

            return default;
        }
    }

    /// <summary>A refusal Keycloak answers with 400 or 403 carries no authentication challenge, whatever its error code.</summary>
    public sealed class DropChallenge : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<DropChallenge>()
                .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachWwwAuthenticateHeader<ApplyTokenResponseContext>.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (context.Transaction.Properties.TryGetValue(Property, out var status) && status is int code and not 401
                && context.Transaction.GetHttpRequest()?.HttpContext.Response is { HasStarted: false } response)
            {
                response.Headers.WWWAuthenticate = default;
            }

            return default;
        }
    }
}
