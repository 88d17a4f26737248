using System.Net;
using EmbeddedIdp.Keys;
using EmbeddedIdp.Realm;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EmbeddedIdp.Admin;

/// <summary>
/// DEVELOPMENT ONLY: rotate and withdraw signing keys of a running EmbeddedIdp, as Keycloak does through its admin
/// API (a higher-priority key provider; disabling the old one). Mapped only in the Development environment, answers
/// only loopback callers, and has no authentication: never expose it.
/// </summary>
public static class SigningKeyAdminApi
{
    public static RouteGroupBuilder MapSigningKeyAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var realm = endpoints.ServiceProvider.GetRequiredService<RealmModel>();
        var group = endpoints.MapGroup($"/admin/realms/{realm.Name}/keys")
            .AddEndpointFilter(LoopbackOnly)
            .WithTags("Development: signing keys")
            .ExcludeFromDescription();

        group.MapGet("/", ListKeys).WithName("ListSigningKeys").WithSummary("Active and passive signing keys (Keycloak's GET /admin/realms/{realm}/keys shape).");
        group.MapPost("/rotate", RotateKey).WithName("RotateSigningKey").WithSummary("A new key signs from now on; the previous one stays published and keeps verifying.");
        group.MapDelete("/{kid}", WithdrawKey).WithName("WithdrawSigningKey").WithSummary("Stops publishing a passive key; tokens it signed no longer verify.");
        return group;
    }

    public static Ok<KeysResponse> ListKeys(SigningKeyStore keys) => TypedResults.Ok(Describe(keys));

    public static Ok<KeysResponse> RotateKey(SigningKeyStore keys)
    {
        keys.Rotate();
        return TypedResults.Ok(Describe(keys));
    }

    public static Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>> WithdrawKey(string kid, SigningKeyStore keys) =>
        keys.Withdraw(kid) switch
        {
            WithdrawResult.Withdrawn => TypedResults.NoContent(),
            WithdrawResult.Active => TypedResults.Conflict(new ProblemDetails
            {
                Title = "The active key cannot be withdrawn",
                Detail = $"Key '{kid}' signs new tokens; rotate first, then withdraw it.",
                Status = StatusCodes.Status409Conflict,
            }),
            _ => TypedResults.NotFound(new ProblemDetails
            {
                Title = "No such signing key",
                Detail = $"No key '{kid}' in this realm.",
                Status = StatusCodes.Status404NotFound,
            }),
        };

    private static KeysResponse Describe(SigningKeyStore store)
    {
        var keys = store.Keys;
        return new KeysResponse(
            new Dictionary<string, string> { ["RS256"] = keys[0].KeyId },
            [.. keys.Select((key, index) => new KeyDescription(key.KeyId, "RS256", "RSA", "SIG", index == 0 ? "ACTIVE" : "PASSIVE"))]);
    }

    // No authentication on purpose (a development tool), so only this machine may call it.
    private static async ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address)
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Loopback callers only");

    public sealed record KeysResponse(IReadOnlyDictionary<string, string> Active, IReadOnlyList<KeyDescription> Keys);

    public sealed record KeyDescription(string Kid, string Algorithm, string Type, string Use, string Status);
}
