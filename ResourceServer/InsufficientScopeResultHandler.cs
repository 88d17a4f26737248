using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace ResourceServer;

/// <summary>Turns a forbidden result caused by missing scopes into RFC 6750's 403; everything else as usual.</summary>
internal sealed class InsufficientScopeResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure)
        {
            var missing = failure.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).ToList();
            if (missing.Count > 0)
            {
                return BearerChallenge.WriteInsufficientScopeAsync(context, missing);
            }
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
