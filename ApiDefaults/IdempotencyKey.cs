using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The <c>Idempotency-Key</c> rules both APIs share (IETF httpapi Idempotency-Key draft): the header's form, whose key
/// it is, and the answers for a reused key. Each API stores the key with a unique index on (client, key).
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 100;

    /// <summary>Adds a validation error unless <paramref name="key"/> is 1 to <see cref="MaxLength"/> printable ASCII characters.</summary>
    public static void Validate(string? key, IDictionary<string, string[]> errors)
    {
        if (key is not { Length: > 0 and <= MaxLength } || !key.All(c => c is >= ' ' and <= '~'))
        {
            errors[Header] = [$"Required header: 1 to {MaxLength} printable ASCII characters."];
        }
    }

    /// <summary>Keys are scoped per calling client, so two clients can never collide on (or probe) each other's keys.</summary>
    public static string OwnerOf(ClaimsPrincipal user) => user.FindFirstValue("client_id") ?? user.FindFirstValue("azp") ?? "";

    /// <summary>A concurrent request with the same key won the race to insert (SQLITE_CONSTRAINT): answer as its replay.</summary>
    public static bool IsLostRace(DbUpdateException exception) => exception.InnerException is SqliteException { SqliteErrorCode: 19 };

    /// <summary>Same key, other body: a client bug, 422.</summary>
    public static ProblemHttpResult Reused() => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused",
        detail: "This Idempotency-Key was already used with a different request body.");
}
