using Payments.Api;
using Payments.Api.Payments;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddResourceServer();
builder.AddPaymentsApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapPaymentsApi();

app.Run();
