using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SqliteDatabase;

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
}
