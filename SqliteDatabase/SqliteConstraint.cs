using Microsoft.Data.Sqlite;

namespace Microsoft.EntityFrameworkCore;

public static class SqliteConstraint
{
    /// <summary>The insert broke a constraint (SQLITE_CONSTRAINT), such as a unique index another request filled first.</summary>
    public static bool IsConstraintViolation(this DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19 };
}
