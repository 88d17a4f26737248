using Microsoft.AspNetCore.Authorization;

namespace ResourceServer;

/// <summary>Grants a <see cref="ScopeRequirement"/> when the caller's single <c>scope</c> claim lists the scope.</summary>
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        // More than one scope claim means an array-valued claim slipped through: grant nothing rather than guess.
        string? scope = null;
        var count = 0;
        foreach (var claim in context.User.Claims)
        {
            if (claim.Type == Scopes.ClaimType && ++count == 1)
            {
                scope = claim.Value;
            }
        }

        if (context.User.Identity?.IsAuthenticated == true && count == 1 && Scopes.Contains(scope!, requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
