using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>A service's own SQLite database: a file under its data folder, created at startup, checked for readiness.</summary>
public static class SqliteDatabaseExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the connection string <paramref name="connectionName"/> (or
    /// <paramref name="defaultConnectionString"/>), creates the database before the server accepts requests, and adds
    /// a readiness check named <paramref name="connectionName"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSqliteDatabase<TContext>(
        this IHostApplicationBuilder builder, string connectionName, string defaultConnectionString)
        where TContext : DbContext
    {
        var connectionString = DatabaseFileUnderContentRoot(
            builder.Configuration.GetConnectionString(connectionName) ?? defaultConnectionString,
            builder.Environment.ContentRootPath);

        builder.Services.AddDbContext<TContext>(options => options
            .UseSqlite(connectionString)
            // A lost idempotency race surfaces as a failed insert that the endpoint answers as a replay: not an error.
            // A failure nobody handles still reaches the exception handler (or the worker), which logs it as one.
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug))));
        builder.Services.AddHostedService<SqliteDatabaseInitializer<TContext>>();
        builder.Services.AddHealthChecks().AddCheck<SqliteDatabaseHealthCheck<TContext>>(connectionName);
        return builder;
    }

    /// <summary>A relative file name is taken from the content root, not from whatever the working directory is.</summary>
    private static string DatabaseFileUnderContentRoot(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            sqlite.DataSource = Path.Combine(contentRoot, file);
        }

        return sqlite.ToString();
    }

    /// <summary>Creates the SQLite database under its data folder before the server accepts requests.</summary>
    private sealed class SqliteDatabaseInitializer<TContext>(IServiceScopeFactory scopes) : IHostedLifecycleService
        where TContext : DbContext
    {
        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (Path.GetDirectoryName(dataSource) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            try
            {
                await db.Database.EnsureCreatedAsync(cancellationToken);
            }
            catch (SqliteException exception) when (exception.SqliteErrorCode == 1 && exception.Message.Contains("already exists", StringComparison.Ordinal))
            {
                // Another instance on the same file created the schema between EF's check and its CREATE TABLE: done.
            }

            // Write-ahead logging lets readers (a request, a background worker) run while a writer holds the lock.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Ready when the database file exists and its tables can be read.</summary>
    private sealed class SqliteDatabaseHealthCheck<TContext>(TContext db) : IHealthCheck
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
}
