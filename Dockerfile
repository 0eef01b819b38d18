# Silo image (one Orleans silo co-hosting the HTTP gateway). Built from the repository root: docker build -t workload-federation/node .
# (Not built in this repository's CI: the build machines have no container engine.)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo -c Release -o /out --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out .
USER 10001
EXPOSE 8080
# 8080: HTTP (token endpoint, admin API); 11111: silo-to-silo traffic of the Orleans cluster.
EXPOSE 11111
ENTRYPOINT ["dotnet", "WorkloadFederation.Silo.dll"]
