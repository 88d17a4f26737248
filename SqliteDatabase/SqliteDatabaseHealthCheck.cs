using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SqliteDatabase;

/// <summary>Ready when the database file exists and its tables can be read.</summary>
internal sealed class SqliteDatabaseHealthCheck<TContext>(TContext db) : IHealthCheck
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreadable = $"The database '{context.Registration.Name}' cannot be read.";
        try
        {
            var database = db.Database.GetService<IRelationalDatabaseCreator>();
            return await database.ExistsAsync(cancellationToken) && await database.HasTablesAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy(unreadable);
        }
        catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(unreadable, exception);
        }
    }
}
