using Microsoft.AspNetCore.Authorization;

namespace ResourceServer;

/// <summary>Grants a <see cref="ScopeRequirement"/> when the caller's single <c>scope</c> claim lists the scope.</summary>
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        // More than one scope claim means an array-valued claim slipped through: grant nothing rather than guess.
        var claims = context.User.FindAll(Scopes.ClaimType).Take(2).ToList();
        if (context.User.Identity?.IsAuthenticated == true && claims.Count == 1 && Scopes.Contains(claims[0].Value, requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
